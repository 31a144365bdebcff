package org.dicomsidecar.cohorts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.dicomsidecar.admin.Setting;
import org.dicomsidecar.admin.SidecarSettings;

/** Starts each query's deadline from {@code sidecar.query.time-budget-ms}. */
@ApplicationScoped
public class QueryBudget {

    @Inject
    SidecarSettings settings;

    public QueryDeadline start() {
        return QueryDeadline.after(settings.getLong(Setting.QUERY_TIME_BUDGET_MS));
    }
}
