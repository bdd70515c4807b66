package dev.natgw.api.forwarder;

/** The life cycle of the forwarder's listener. */
public enum ForwarderState {
    /** Binding its port and announcing itself. */
    STARTING,
    /** Accepting servers and clients. */
    LISTENING,
    /** Closing connections and withdrawing its announcement. */
    STOPPING,
    /** Not running. */
    STOPPED,
    /** Could not start or stopped on an error; see the log. */
    FAILED;
}
