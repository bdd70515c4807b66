package dev.natgw.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every adapter answers every abstract method of its service with an {@link UnsupportedOperationException} that names
 * the method, so a test that calls what it did not override learns which method it needs. Generated adapters can lag
 * their interface; this finds the lag for every method the interface declares.
 */
class AdaptersTest {
    @ParameterizedTest
    @ValueSource(classes = {DataplaneAdapter.class, StageContextAdapter.class, NatAdminServiceAdapter.class,
            ForwarderServiceAdapter.class, RegistryAdapter.class, StatusServiceAdapter.class})
    void everyMethodThrowsNamingItself(Class<?> adapter) throws ReflectiveOperationException {
        Class<?> service = adapter.getInterfaces()[0];
        Object instance = adapter.getConstructor().newInstance();
        int abstractMethods = 0;
        for (Method m : service.getMethods()) {
            if (!Modifier.isAbstract(m.getModifiers())) {
                continue;
            }
            abstractMethods++;
            Object[] args = new Object[m.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = zero(m.getParameterTypes()[i]);
            }
            try {
                m.invoke(instance, args);
                throw new AssertionError(adapter.getSimpleName() + "." + m.getName() + " returned");
            } catch (InvocationTargetException e) {
                assertThat(e.getCause()).as(m.toString()).isInstanceOf(UnsupportedOperationException.class)
                        .hasMessage(m.getName());
            }
        }
        assertThat(abstractMethods).as(service.getSimpleName() + " has methods to adapt").isPositive();
    }

    /** The argument a test passes for a parameter it does not care about: null, or zero of a primitive. */
    private static Object zero(Class<?> type) {
        if (!type.isPrimitive()) {
            return null;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == char.class) {
            return '\0';
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0;
        }
        if (type == float.class) {
            return 0.0f;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == short.class) {
            return (short) 0;
        }
        return 0;
    }
}
