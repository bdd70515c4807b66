package dev.natgw.forwarder;

import dev.natgw.forwarder.internal.ForwarderConfig;
import dev.natgw.registry.RegistryConfig;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Configuration annotations built in tests as ConfigAdmin would build them: the given values by attribute name (with
 * dots, as in the .cfg file), every other attribute at its annotation default.
 */
public final class Configs {
    private Configs() {
    }

    public static ForwarderConfig forwarder(Map<String, Object> values) {
        return of(ForwarderConfig.class, values);
    }

    public static RegistryConfig registry(Map<String, Object> values) {
        return of(RegistryConfig.class, values);
    }

    @SuppressWarnings("unchecked")
    public static <A> A of(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            String name = method.getName();
            switch (name) {
                case "annotationType" :
                    return type;
                case "toString" :
                    return type.getSimpleName() + values;
                case "hashCode" :
                    return values.hashCode();
                case "equals" :
                    return proxy == args[0];
                default :
                    break;
            }
            Object v = values.get(name.replace('_', '.'));
            return v != null ? v : method.getDefaultValue();
        });
    }
}
