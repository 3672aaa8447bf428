package dev.vireo.sys.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class that declares the {@code LAYOUT} of a C struct. {@code HeaderCheckTest} compiles a
 * C program over {@link #headers()} and compares the C struct's size and the offset and size of
 * every named element of {@code LAYOUT} with the Java layout.
 *
 * <p>Naming rules for {@code LAYOUT}: every element is named exactly as the C member; a nested
 * group without a name stands for an anonymous C struct or union (its members are addressed from
 * the enclosing struct); padding is declared with {@code paddingLayout} and is not checked.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CStruct {

    /** The C type, e.g. {@code "struct kvm_regs"}. */
    String value();

    /** The headers that declare it, in include order. */
    String[] headers();

    /**
     * Whether {@code sizeof} must equal the layout's size. False for layouts that model only the
     * leading part of a C struct (kvm_run's exit data, glibc's dirent64 with its fixed name array).
     */
    boolean checkSize() default true;
}
