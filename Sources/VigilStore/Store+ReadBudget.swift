import CSQLite
import VigilSQLite
import VigilThreads

extension Store {
    /// The time limit of every query built from a request (a list, a search with its snippets, a
    /// facet count), unless the store was opened with another: past it the query is interrupted
    /// and the request answered 503. `vigil serve --query-time-limit` sets it.
    public static let defaultQueryTimeLimit: Duration = .seconds(5)

    /// Runs `body` with every read it makes on this thread limited to `budget` in all, on top of
    /// the query time limit: when the budget runs out first the read is interrupted and this
    /// throws ``StoreError/overBudget``, having changed nothing.
    ///
    /// For the reads an event thread serves: a request that proves costly there stops after a
    /// few milliseconds and is run again where it holds up no other connection (the server's
    /// blocking pool), so that one expensive request never delays a cheap one by more than the
    /// budget. Budgets do not nest: an inner one replaces the outer one while it runs.
    public func withinReadBudget<T>(_ budget: Duration, _ body: () throws -> T) throws -> T {
        let previous = ReadBudget.current
        let current = ReadBudget(deadline: MonotonicClock.now() &+ budget.nanoseconds)
        ReadBudget.current = current
        defer { ReadBudget.current = previous }
        do {
            return try body()
        } catch  where current.exhausted {
            throw StoreError.overBudget
        } catch {
            throw error
        }
    }
}

/// The deadline of the current thread's read budget (see ``Store/withinReadBudget(_:_:)``).
final class ReadBudget {
    let deadline: UInt64
    /// Set when a read of this budget was interrupted at its deadline.
    var exhausted = false

    init(deadline: UInt64) { self.deadline = deadline }

    private static let slot = ThreadLocalReference<ReadBudget>(retains: false)

    /// The budget of the current thread, if it has one. The object is kept alive by the
    /// `withinReadBudget` call that set it.
    static var current: ReadBudget? {
        get { slot.value }
        set { slot.value = newValue }
    }

    /// Caps `db`'s deadline at the budget's, when the budget ends first.
    static func apply(to db: Database) {
        guard let budget = current else { return }
        db.capDeadline(at: budget.deadline)
    }

    /// Whether `error` is an interruption by the current budget (rather than by the query time
    /// limit), noting it so that ``Store/withinReadBudget(_:_:)`` can tell the caller.
    static func claims(_ error: any Error) -> Bool {
        guard let budget = current else { return false }
        let sqlite: SQLiteError? =
            switch error {
            case let error as SQLiteError: error
            case StoreError.storage(let error): error
            default: nil
            }
        guard let sqlite, sqlite.code == SQLITE_INTERRUPT, MonotonicClock.now() >= budget.deadline else { return false }
        budget.exhausted = true
        return true
    }
}
