import Synchronization

/// One event thread's published state for freeing closed connections safely.
final class EventThreadSlot: Sendable {
    let holdingSince = Atomic<UInt64>(.max)
}
