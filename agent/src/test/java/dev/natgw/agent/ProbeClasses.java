package dev.natgw.agent;

import static java.lang.classfile.ClassFile.ACC_PUBLIC;
import static java.lang.classfile.ClassFile.ACC_STATIC;
import static java.lang.classfile.ClassFile.ACC_SUPER;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_boolean;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds small class files, with the classfile API itself, that call the three redirected JDK
 * methods the way Karaf's code does. Every probe method first assigns a local from one of two
 * branches with different sibling types (ImplA, ImplB extends Base), so regenerating its stack map
 * needs a hierarchy only the probe's own class loader knows.
 */
final class ProbeClasses {

    static final ClassDesc CD_SUBJECT = ClassDesc.of("javax.security.auth.Subject");
    static final ClassDesc CD_ACC = ClassDesc.of("java.security.AccessControlContext");
    static final ClassDesc CD_CONTROLLER = ClassDesc.of("java.security.AccessController");
    static final ClassDesc CD_ACTION = ClassDesc.of("java.security.PrivilegedAction");
    static final ClassDesc CD_EXCEPTION_ACTION = ClassDesc.of("java.security.PrivilegedExceptionAction");

    private ProbeClasses() {
    }

    /**
     * Base, ImplA, ImplB, Bystander and Probe in package pkg (internal form), keyed by internal name.
     */
    static Map<String, byte[]> build(String pkg, int majorVersion) {
        ClassDesc base = ClassDesc.ofInternalName(pkg + "/Base");
        ClassDesc implA = ClassDesc.ofInternalName(pkg + "/ImplA");
        ClassDesc implB = ClassDesc.ofInternalName(pkg + "/ImplB");
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.of(List.of(), Map.of(base, CD_Object, implA, base, implB, base))
                        .orElse(ClassHierarchyResolver.defaultResolver())));
        Map<String, byte[]> classes = new LinkedHashMap<>();
        classes.put(pkg + "/Base", emptyClass(cf, base, CD_Object, majorVersion));
        classes.put(pkg + "/ImplA", emptyClass(cf, implA, base, majorVersion));
        classes.put(pkg + "/ImplB", emptyClass(cf, implB, base, majorVersion));
        // names a target method but never calls one: must stay untouched
        classes.put(pkg + "/Bystander", cf.build(ClassDesc.ofInternalName(pkg + "/Bystander"), cb -> cb
                .withVersion(majorVersion, 0)
                .withFlags(ACC_PUBLIC | ACC_SUPER)
                .withMethodBody("doPrivileged", MethodTypeDesc.of(CD_Object, CD_Object), ACC_PUBLIC | ACC_STATIC,
                        code -> code.aload(0).areturn())));
        classes.put(pkg + "/Probe", cf.build(ClassDesc.ofInternalName(pkg + "/Probe"), cb -> cb
                .withVersion(majorVersion, 0)
                .withFlags(ACC_PUBLIC | ACC_SUPER)
                .withMethodBody("getSubject", MethodTypeDesc.of(CD_SUBJECT, CD_boolean, CD_ACC),
                        ACC_PUBLIC | ACC_STATIC, code -> {
                            mergeSiblings(code, implA, implB, 2);
                            code.aload(1)
                                    .invokestatic(CD_SUBJECT, "getSubject", MethodTypeDesc.of(CD_SUBJECT, CD_ACC))
                                    .areturn();
                        })
                .withMethodBody("run", MethodTypeDesc.of(CD_Object, CD_boolean, CD_ACTION, CD_ACC),
                        ACC_PUBLIC | ACC_STATIC, code -> {
                            mergeSiblings(code, implA, implB, 3);
                            code.aload(1).aload(2).invokestatic(CD_CONTROLLER, "doPrivileged",
                                    MethodTypeDesc.of(CD_Object, CD_ACTION, CD_ACC)).areturn();
                        })
                .withMethodBody("runChecked", MethodTypeDesc.of(CD_Object, CD_boolean, CD_EXCEPTION_ACTION, CD_ACC),
                        ACC_PUBLIC | ACC_STATIC, code -> {
                            mergeSiblings(code, implA, implB, 3);
                            code.aload(1).aload(2).invokestatic(CD_CONTROLLER, "doPrivileged",
                                    MethodTypeDesc.of(CD_Object, CD_EXCEPTION_ACTION, CD_ACC)).areturn();
                        })));
        return classes;
    }

    /** {@code Base tmp = flag ? (ImplA) null : (ImplB) null;} with flag in slot 0. */
    private static void mergeSiblings(CodeBuilder code, ClassDesc implA, ClassDesc implB, int tmpSlot) {
        Label other = code.newLabel();
        Label join = code.newLabel();
        code.iload(0).ifeq(other)
                .aconst_null().checkcast(implA).astore(tmpSlot).goto_(join)
                .labelBinding(other)
                .aconst_null().checkcast(implB).astore(tmpSlot)
                .labelBinding(join);
    }

    private static byte[] emptyClass(ClassFile cf, ClassDesc name, ClassDesc superclass, int majorVersion) {
        return cf.build(name, cb -> cb.withVersion(majorVersion, 0).withFlags(ACC_PUBLIC | ACC_SUPER)
                .withSuperclass(superclass));
    }

    /** Defines the given classes and serves their class files as resources, like a bundle loader. */
    static final class Loader extends ClassLoader {

        private final Map<String, byte[]> classes;

        Loader(Map<String, byte[]> classes) {
            super(ProbeClasses.class.getClassLoader());
            this.classes = Map.copyOf(classes);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = classes.get(name.replace('.', '/'));
            if (bytes == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, bytes, 0, bytes.length);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            byte[] bytes = name.endsWith(".class") ? classes.get(name.substring(0, name.length() - 6)) : null;
            return bytes != null ? new ByteArrayInputStream(bytes) : super.getResourceAsStream(name);
        }
    }
}
