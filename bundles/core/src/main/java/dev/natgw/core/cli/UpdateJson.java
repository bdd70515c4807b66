package dev.natgw.core.cli;

import dev.natgw.core.internal.BundleSwap;
import java.util.List;
import java.util.Map;

/** The JSON shape of {@code natgw:update --json}; sessions are null without a NAT. */
record UpdateJson(long bundleId, String symbolicName, String source, String sha256, String oldVersion,
        String newVersion,
        String oldRevision, String newRevision, long millisToActive, long millisToServices, List<String> services,
        Long sessionsBefore, Long sessionsAfter, long droppedTotal, Map<String, Long> dropped) {

    static UpdateJson of(BundleSwap.Report r) {
        return new UpdateJson(r.bundleId(), r.symbolicName(), r.source(), r.sha256(), r.oldVersion(), r.newVersion(),
                r.oldRevision(), r.newRevision(), r.millisToActive(), r.millisToServices(), r.services(),
                r.sessionsBefore() < 0 ? null : r.sessionsBefore(), r.sessionsAfter() < 0 ? null : r.sessionsAfter(),
                r.droppedTotal(), r.dropped());
    }
}
