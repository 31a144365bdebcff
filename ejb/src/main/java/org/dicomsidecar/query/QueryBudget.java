package org.dicomsidecar.query;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/** Starts each query's deadline from {@code sidecar.query.time-budget-ms}. */
@ApplicationScoped
public class QueryBudget {

    @Inject
    SidecarSettings settings;

    public QueryDeadline start() {
        return QueryDeadline.after(settings.getLong(Setting.QUERY_TIME_BUDGET_MS));
    }
}
