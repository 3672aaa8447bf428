package dev.vireo.sys.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A constant the installed headers do not define: newer than them (linux-libc-dev trails the
 * running kernel), or kept private by the kernel. The reason says where the value comes from.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface NotInHeaders {

    /** Where the constant comes from, e.g. "fuse.h 7.39". */
    String value();
}
