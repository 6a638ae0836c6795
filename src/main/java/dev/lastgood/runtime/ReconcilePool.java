package dev.lastgood.runtime;

import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurationServiceCustomizer;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Hands the operator SDK a {@link ReconcileExecutor} instead of its default pool, with the same
 * number of threads ({@code quarkus.operator-sdk.concurrent-reconciliation-threads}, else the SDK's
 * default).
 */
@Singleton
@Unremovable // looked up by the operator SDK extension, never injected
public class ReconcilePool implements ConfigurationServiceCustomizer {
    private final int threads;

    ReconcilePool(
            @ConfigProperty(name = "quarkus.operator-sdk.concurrent-reconciliation-threads")
                    Optional<Integer> threads) {
        this.threads = threads.orElse(ConfigurationService.DEFAULT_RECONCILIATION_THREADS_NUMBER);
    }

    @Override
    public Consumer<ConfigurationServiceOverrider> overrider() {
        // The SDK asks for its executor once, when the operator starts.
        return o -> o.withExecutorService(new ReconcileExecutor(threads));
    }
}
