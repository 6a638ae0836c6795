package dev.lastgood.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryTemplateTest {
    static final Map<String, String> VALUES =
            Map.of(
                    "canary.version", "v2",
                    "stable.version", "v1",
                    "namespace", "shop-prod",
                    "rollout", "shop");

    @Test
    void fillsEveryKnownPlaceholder() {
        String query =
                "sum(rate(http_errors{namespace=\"{{namespace}}\",rollout=\"{{ rollout }}\","
                        + "version=\"{{canary.version}}\"}[1m])) / {{  stable.version  }}";

        String rendered = QueryTemplate.render(query, VALUES);

        assertThat(rendered)
                .isEqualTo(
                        "sum(rate(http_errors{namespace=\"shop-prod\",rollout=\"shop\","
                                + "version=\"v2\"}[1m])) / v1");
    }

    @Test
    void leavesAQueryWithoutPlaceholdersAlone() {
        String query = "sum(rate(http_requests_total{code=~\"5..\"}[5m]))";

        assertThat(QueryTemplate.render(query, VALUES)).isEqualTo(query);
    }

    @Test
    void fillsAMissingValueWithNothing() {
        String rendered = QueryTemplate.render("x{v=\"{{stable.version}}\"}", Map.of());

        assertThat(rendered).isEqualTo("x{v=\"\"}");
    }

    @Test
    void insertsValuesLiterallyEvenWithRegexReplacementCharacters() {
        String rendered =
                QueryTemplate.render(
                        "x{v=\"{{canary.version}}\"}", Map.of("canary.version", "a$1\\b"));

        assertThat(rendered).isEqualTo("x{v=\"a$1\\\\b\"}");
    }

    @Test
    void escapesQuotesSoAValueCannotRewriteTheQuery() {
        String rendered =
                QueryTemplate.render(
                        "x{v=\"{{canary.version}}\"}",
                        Map.of("canary.version", "v9\"}) or vector(0"));

        assertThat(rendered).isEqualTo("x{v=\"v9\\\"}) or vector(0\"}");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "x{v=\"{{canary.image}}\"}",
                "x{v=\"{{ Namespace }}\"}",
                "x{v=\"{{canary_version}}\"}",
                "x{v=\"{{canary-version}}\"}",
                "x{v=\"{{ canary.version2 }}\"}",
                "x{v=\"{{}}\"}",
            })
    void refusesAnUnknownPlaceholder(String query) {
        assertThatThrownBy(() -> QueryTemplate.render(query, VALUES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown placeholder");
    }
}
