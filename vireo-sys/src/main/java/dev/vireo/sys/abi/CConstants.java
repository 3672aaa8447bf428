package dev.vireo.sys.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class whose public static final {@code int} and {@code long} fields mirror C constants
 * (macros or enumerators) of the same name. {@code HeaderCheckTest} compiles each name against
 * {@link #headers()} and compares the values; {@link CName} gives the C spelling when the Java name
 * differs, {@link NotInHeaders} exempts a constant the installed headers are too old to know.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CConstants {

    /** The headers that define the constants, in include order. */
    String[] headers();
}
