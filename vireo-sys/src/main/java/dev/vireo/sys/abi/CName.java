package dev.vireo.sys.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The C expression a constant mirrors, when it is not the Java field's name. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface CName {

    /** A C expression, usually a macro name such as {@code "__NR_openat2"}. */
    String value();
}
