package dev.lastgood.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** One environment variable that a release sets on its container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NameValue {
    @Required
    @Pattern("^[-._a-zA-Z][-._a-zA-Z0-9]*$")
    @JsonPropertyDescription("Name of the environment variable.")
    public String name;

    @Size(max = 2048)
    @JsonPropertyDescription("Value of the environment variable; empty when omitted.")
    public String value;

    public NameValue() {}

    public NameValue(String name, String value) {
        this.name = name;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NameValue other
                && Objects.equals(name, other.name)
                && Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, value);
    }
}
