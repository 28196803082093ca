import VigilJSON
import VigilSQLite

extension Store {
    // MARK: Read one

    /// One record as `context` may see it. A record above the caller's clearance is
    /// `notFound`, exactly as if it did not exist; a tombstone the caller could see is `gone`.
    public func record(_ kind: ResourceKind, id: String, as context: AccessContext) throws(StoreError) -> Record {
        try read { db in
            let encoder = RecordEncoder(kind: kind)
            let statement = try db.cachedStatement(RecordCodec.selectByID(kind, withComputedFor: context.clearance))
            var found: Record?
            // Ids are unique, and the counts join brings one row per level; the statement leaves
            // out a record above the caller's clearance.
            try statement.firstRow([.text(id)]) { row in found = encoder.encode(row, for: context.clearance) }
            guard let record = found else { throw StoreError.notFound(kind: kind.rawValue, id: id) }
            if record.isDeleted { throw StoreError.gone(kind: kind.rawValue, id: id) }
            return record
        }
    }

    /// Reads a record. `computed`: as `clearance` is shown it, with its counts and with
    /// references it may not see as null, and nil when the record is above it (for answers
    /// only); otherwise as stored, whatever its level or tombstone (for changes and audit
    /// entries: callers apply the rules).
    static func load(
        _ kind: ResourceKind, id: String, in db: Database, clearance: Confidentiality, computed: Bool
    ) throws -> StoredRecord? {
        let codec = RecordCodec(kind: kind)
        let statement = try db.cachedStatement(
            computed
                ? codec.selectByID(withComputedFor: clearance)
                : "SELECT \(codec.selectList) FROM \(kind.table) r WHERE r.id = ?")
        var result: StoredRecord?
        try statement.forEachRow([.text(id)]) { row in result = codec.decode(row) }
        return result
    }

    // MARK: Create

    /// Creates one record from client JSON.
    public func create(_ kind: ResourceKind, _ input: JSONObject, as context: AccessContext) throws(StoreError)
        -> Record
    {
        do {
            return try createMany(kind, [input], as: context)[0]
        } catch .batchValidation(let errors) {
            throw .validation(errors[0] ?? [])
        }
    }

    /// Creates several records in one transaction: all of them, or none when any is invalid
    /// (`batchValidation` then lists every bad item by index).
    public func createMany(_ kind: ResourceKind, _ inputs: [JSONObject], as context: AccessContext) throws(StoreError)
        -> [Record]
    {
        try createMany(kind, inputs, as: context, skipIf: { _ in false }, beforeCommit: nil) ?? []
    }

    /// The create itself. `skipIf` runs first inside the write transaction (writes are serialized,
    /// so what it sees cannot change before commit); when it returns true nothing is written and
    /// the result is nil. `beforeCommit` runs once the records exist (to store an idempotent
    /// answer with them); without it, the records are rendered after the commit.
    func createMany(
        _ kind: ResourceKind, _ inputs: [JSONObject], as context: AccessContext,
        skipIf: (Database) throws -> Bool, beforeCommit: ((Database, [Record]) throws -> Void)?
    ) throws(StoreError) -> [Record]? {
        try context.require(.editor, to: "creating records")
        let (prepared, failures) = Store.prepare(kind, inputs, clearance: context.clearance)
        if !failures.isEmpty {
            throw .batchValidation(try withReferenceFailures(failures, of: prepared, kind, as: context))
        }

        // Nothing can point at a record yet when it is created: its counts are all zero.
        let zeroCounts = JSONObject(kind.computedFields.map { ($0, JSONValue.int(0)) })
        func render(_ created: [CreatedRow]) throws(StoreError) -> [Record] {
            try created.map { item throws(StoreError) in
                var stored = item.stored
                stored.computed = zeroCounts
                return try stored.render(for: context.clearance)
            }
        }
        let created = try write(
            sequenced: { Store.sequence(kind, count: prepared.count) },
            prepare: { Store.snapshots(of: prepared, sequenced: $0) }
        ) { db, sequenced, snapshots -> [CreatedRow]? in
            if try skipIf(db) { return nil }
            let (created, referenceFailures) = try Store.insert(
                kind, prepared, sequenced, snapshots: snapshots, in: db, context: context)
            if !referenceFailures.isEmpty { throw StoreError.batchValidation(referenceFailures) }
            if let beforeCommit { try beforeCommit(db, render(created)) }
            return created
        }
        // Rendered after the commit when nothing inside needs it: the writer thread is the one
        // every write waits for.
        return try created.map { created throws(StoreError) in try render(created) }
    }

    /// What would be wrong with creating `inputs`, by index, without creating anything: their
    /// fields, and the references of those whose fields are good. For a batch that is refused
    /// anyway (an item that is not even an object), so that the answer still lists every bad item.
    public func problems(creating kind: ResourceKind, _ inputs: [JSONObject], as context: AccessContext)
        throws(StoreError) -> [Int: [FieldError]]
    {
        try context.require(.editor, to: "creating records")
        let (prepared, failures) = Store.prepare(kind, inputs, clearance: context.clearance)
        return try withReferenceFailures(failures, of: prepared, kind, as: context)
    }

    /// `failures` with the reference problems of the `prepared` records added: a batch refused for
    /// one item's fields still names the items whose references are bad.
    private func withReferenceFailures(
        _ failures: [Int: [FieldError]], of prepared: [PreparedRecord], _ kind: ResourceKind, as context: AccessContext
    ) throws(StoreError) -> [Int: [FieldError]] {
        guard !prepared.isEmpty else { return failures }
        return try read { db in
            var all = failures
            for item in prepared {
                let errors = try Store.referenceErrors(of: item, kind, in: db, clearance: context.clearance)
                if !errors.isEmpty { all[item.index] = errors }
            }
            return all
        }
    }

    /// The reference problems of a record about to be created: its fields' and its links'.
    static func referenceErrors(
        of item: PreparedRecord, _ kind: ResourceKind, in db: Database, clearance: Confidentiality
    ) throws -> [FieldError] {
        var errors = try referenceErrors(kind, item.fields, recordID: nil, in: db, clearance: clearance)
        for (position, link) in item.links.enumerated() {
            errors += try link.referenceErrors(in: db, clearance: clearance, field: "sites[\(position)]")
        }
        return errors
    }

    /// A record's fields and links, checked without the database.
    struct PreparedRecord {
        let index: Int
        let fields: JSONObject
        let links: [LinkInput]
        /// The fields as bound to the insert, computed before the write: the writer thread is
        /// the one every write waits for.
        let values: [SQLValue]
        /// Its audit snapshot, serialized before the write for the same reason.
        let snapshot: SnapshotTemplate
    }

    /// What a create takes as it is queued (``DatabaseWriter/write(sequenced:prepare:_:)``): its
    /// records' ids and their creation time, made in the order writes commit, so that ids sort
    /// in commit order (keyset pagination on `id` relies on it) as when the writer made them.
    struct Sequenced {
        let now: String
        /// One per prepared record, in the same order.
        let ids: [String]
    }

    /// Each record's audit snapshot with its id and time in place, and its digest.
    typealias FilledSnapshot = (bytes: [UInt8], digest: String)

    static func sequence(_ kind: ResourceKind, count: Int) -> Sequenced {
        Sequenced(
            now: Timestamp.now(), ids: (0..<count).map { _ in RecordIDGenerator.shared.next(prefix: kind.idPrefix) })
    }

    /// The snapshots and their digests, made by the caller's thread while its write waits.
    static func snapshots(of prepared: [PreparedRecord], sequenced: Sequenced) -> [FilledSnapshot?] {
        zip(prepared, sequenced.ids).map { item, id in
            item.snapshot.filled(id: id, at: sequenced.now).map { ($0, Hex.sha256($0)) }
        }
    }

    /// A record just inserted, made into its stored state only when needed (after the commit,
    /// off the writer thread, unless something inside needs it).
    struct CreatedRow {
        let index: Int
        let id: String
        /// Its `created_at` (and `updated_at`).
        let createdAt: String
        /// The template the record's snapshot came from, which holds its decoded row.
        let template: SnapshotTemplate

        /// The row as stored: the template's decoded row with the id and time bound to the
        /// INSERT, which is what decoding the bound values (``BoundRow``) would give.
        var stored: StoredRecord { template.stored(id: id, at: createdAt) }
    }

    /// Validates each input on its own; returns the good ones and, by index, the errors of the rest.
    static func prepare(_ kind: ResourceKind, _ inputs: [JSONObject], clearance: Confidentiality)
        -> (prepared: [PreparedRecord], failures: [Int: [FieldError]])
    {
        let validator = RecordValidator(kind: kind, clearance: clearance)
        let codec = RecordCodec(kind: kind)
        var prepared: [PreparedRecord] = []
        var failures: [Int: [FieldError]] = [:]
        for (index, input) in inputs.enumerated() {
            var errors = validator.checkKeys(of: input)
            let (fields, fieldErrors) = validator.validate(input)
            errors += fieldErrors
            var links: [LinkInput] = []
            if let sites = input["sites"] {
                switch LinkInput.parseList(sites, field: "sites", clearance: clearance) {
                case .success(let parsed): links = parsed
                case .failure(let linkErrors): errors += linkErrors.errors
                }
            }
            if errors.isEmpty {
                let values = codec.fieldValues(fields)
                prepared.append(
                    PreparedRecord(
                        index: index, fields: fields, links: links, values: values,
                        snapshot: SnapshotTemplate(kind: kind, values: values)))
            } else {
                failures[index] = errors
            }
        }
        return (prepared, failures)
    }

    /// Inserts prepared records, each with its audit entry and links, inside the caller's write
    /// transaction. A record whose references fail is skipped and reported by index.
    ///
    /// `snapshots`: each record's audit snapshot and digest, made beforehand (``snapshots(of:sequenced:)``),
    /// or nil to make them here.
    static func insert(
        _ kind: ResourceKind, _ prepared: [PreparedRecord], _ sequenced: Sequenced, snapshots: [FilledSnapshot?]?,
        in db: Database, context: AccessContext
    ) throws -> (created: [CreatedRow], failures: [Int: [FieldError]]) {
        precondition(sequenced.ids.count == prepared.count, "one sequenced id per prepared record")
        let snapshots = snapshots ?? Store.snapshots(of: prepared, sequenced: sequenced)
        let codec = RecordCodec(kind: kind)
        let now = sequenced.now
        var created: [CreatedRow] = []
        var failures: [Int: [FieldError]] = [:]
        for ((item, id), made) in zip(zip(prepared, sequenced.ids), snapshots) {
            let errors = try referenceErrors(of: item, kind, in: db, clearance: context.clearance)
            if !errors.isEmpty {
                failures[item.index] = errors
                continue
            }
            let inserted = [.text(id)] + item.values + [.integer(1), .text(now), .text(now)]
            try db.run(codec.insertSQL, inserted)
            if kind == .incidents { try insertIncidentCodes(item.fields, rowID: db.lastInsertRowID, in: db) }
            // The snapshot filled in before the write, with its digest; serialized here from the
            // stored state only if that could not be done.
            let row = CreatedRow(index: item.index, id: id, createdAt: now, template: item.snapshot)
            let snapshot = made?.bytes ?? JSONValue.object(row.stored.state).serialized(sortedKeys: true)
            try AuditLog.append(
                to: db, actor: context.actor, action: .create, kind: kind.rawValue, recordID: id,
                before: nil, after: snapshot, afterDigest: made?.digest, confidentiality: item.snapshot.level, at: now)
            for link in item.links {
                _ = try insertLink(link, incidentID: id, in: db, actor: context.actor, at: now)
            }
            created.append(row)
        }
        return (created, failures)
    }

    // MARK: Update

    /// Applies a JSON Merge Patch (RFC 7396) to a record. With `expectedVersion`, a record that
    /// has moved on is refused with `versionMismatch` and left as it was.
    public func update(
        _ kind: ResourceKind, id: String, patch: JSONObject, expectedVersion: Int64? = nil, as context: AccessContext
    ) throws(StoreError) -> Record {
        try context.require(.editor, to: "updating records")
        let validator = RecordValidator(kind: kind, clearance: context.clearance)
        var keyErrors = validator.checkKeys(of: patch)
        if patch["sites"] != nil {
            keyErrors.append(FieldError("sites", "links are changed at /v1/incidents/{id}/sites, not by patch"))
        }
        return try write { db in
            let current = try Store.visibleLiveRecord(kind, id: id, in: db, context: context)
            if let expectedVersion, expectedVersion != current.version {
                throw StoreError.versionMismatch(expected: expectedVersion, current: current.version)
            }
            var refused = keyErrors
            let locked = AccessPolicy(kind).lockedFields(of: current.fields, for: context.clearance)
            for (key, _) in patch where locked.contains(key) {
                refused.append(
                    FieldError(key, "is hidden at your clearance (\(context.clearance.name)) and cannot be changed"))
            }
            if !refused.isEmpty { throw StoreError.validation(refused) }
            let patch = try Store.keepingHiddenReferences(
                patch, stored: current.fields, kind: kind, in: db, clearance: context.clearance)
            var validator = validator
            validator.stored = current.fields
            var merged = current.fields
            for (key, value) in patch {
                merged[key] = value == .null ? nil : value
            }
            let (fields, errors) = validator.validate(merged)
            var allErrors = errors
            if errors.isEmpty {
                allErrors += try Store.referenceErrors(
                    kind, fields, recordID: id, in: db, clearance: context.clearance, stored: current.fields)
            }
            if !allErrors.isEmpty { throw StoreError.validation(allErrors) }
            if JSONValue.object(fields) == JSONValue.object(current.fields) {
                return try Store.renderComputed(kind, id: id, in: db, clearance: context.clearance)
            }
            let now = Timestamp.now()
            let codec = RecordCodec(kind: kind)
            try db.run(
                codec.updateSQL,
                codec.fieldValues(fields) + [.integer(current.version + 1), .text(now), .null, .text(id)])
            return try Store.audited(kind, id: id, action: .update, before: current, in: db, context: context, at: now)
        }
    }

    // MARK: Delete and restore

    /// Tombstones a record: it stays in the database and the audit log, disappears from
    /// lists and counts, and answers `gone` to direct reads. Admins only.
    public func delete(_ kind: ResourceKind, id: String, as context: AccessContext) throws(StoreError) -> Record {
        try context.require(.admin, to: "deleting records")
        return try write { db in
            let current = try Store.visibleLiveRecord(kind, id: id, in: db, context: context)
            let now = Timestamp.now()
            try db.run(
                "UPDATE \(kind.table) SET deleted_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                [.text(now), .text(now), .text(id)])
            return try Store.audited(kind, id: id, action: .delete, before: current, in: db, context: context, at: now)
        }
    }

    /// Brings a tombstoned record back. Admins only; a record that is not deleted is a conflict.
    public func restore(_ kind: ResourceKind, id: String, as context: AccessContext) throws(StoreError) -> Record {
        try context.require(.admin, to: "restoring records")
        return try write { db in
            guard let current = try Store.load(kind, id: id, in: db, clearance: context.clearance, computed: false),
                current.confidentiality <= context.clearance
            else { throw StoreError.notFound(kind: kind.rawValue, id: id) }
            guard current.isDeleted else { throw StoreError.conflict("\(kind.singular) \(id) is not deleted") }
            let now = Timestamp.now()
            try db.run(
                "UPDATE \(kind.table) SET deleted_at = NULL, version = version + 1, updated_at = ? WHERE id = ?",
                [.text(now), .text(id)])
            return try Store.audited(kind, id: id, action: .restore, before: current, in: db, context: context, at: now)
        }
    }

    // MARK: Shared steps

    /// The record if the caller may see it and it is not deleted; otherwise the matching error.
    static func visibleLiveRecord(
        _ kind: ResourceKind, id: String, in db: Database, context: AccessContext
    ) throws -> StoredRecord {
        guard let current = try load(kind, id: id, in: db, clearance: context.clearance, computed: false),
            current.confidentiality <= context.clearance
        else { throw StoreError.notFound(kind: kind.rawValue, id: id) }
        if current.isDeleted { throw StoreError.gone(kind: kind.rawValue, id: id) }
        return current
    }

    /// Writes the audit entry for a change just made and returns the record as the caller sees it.
    static func audited(
        _ kind: ResourceKind, id: String, action: AuditLog.Action, before: StoredRecord, in db: Database,
        context: AccessContext, at now: String
    ) throws -> Record {
        guard let shown = try load(kind, id: id, in: db, clearance: context.clearance, computed: true) else {
            throw StoreError.notFound(kind: kind.rawValue, id: id)
        }
        // One read serves both the answer and the audit entry at full clearance; below it the
        // answer's read leaves out references the caller cannot see, and the log needs them.
        guard
            let stored = context.clearance == .confidential
                ? shown : try load(kind, id: id, in: db, clearance: context.clearance, computed: false)
        else { throw StoreError.notFound(kind: kind.rawValue, id: id) }
        try AuditLog.append(
            to: db, actor: context.actor, action: action, kind: kind.rawValue, recordID: id,
            before: before.state, after: stored.state, at: now)
        return try shown.render(for: context.clearance)
    }

    static func renderComputed(_ kind: ResourceKind, id: String, in db: Database, clearance: Confidentiality) throws
        -> Record
    {
        guard let stored = try load(kind, id: id, in: db, clearance: clearance, computed: true) else {
            throw StoreError.notFound(kind: kind.rawValue, id: id)
        }
        return try stored.render(for: clearance)
    }

    /// Checks that every reference in `fields` names a live record the caller may see, and an
    /// allegation's `repeats_id` against the rules of ``Republication``.
    ///
    /// `stored`: for a patched record, its fields as stored. A reference kept from them is not
    /// checked again: the caller did not set it, and it may name a record the caller cannot see.
    static func referenceErrors(
        _ kind: ResourceKind, _ fields: JSONObject, recordID: String?, in db: Database, clearance: Confidentiality,
        stored: JSONObject? = nil
    ) throws -> [FieldError] {
        var errors: [FieldError] = []
        for spec in kind.fields {
            switch spec.type {
            case .reference(let target):
                guard case .string(let id)? = fields[spec.name], stored?[spec.name] != fields[spec.name] else {
                    continue
                }
                if let problem = try referenceProblem(target, id: id, in: db, clearance: clearance) {
                    errors.append(FieldError(spec.name, problem))
                }
            case .references(let target):
                guard case .array(let items)? = fields[spec.name] else { continue }
                var kept = Set<String>()
                if case .array(let storedItems)? = stored?[spec.name] {
                    for case .string(let id) in storedItems { kept.insert(id) }
                }
                for case .string(let id) in items where !kept.contains(id) {
                    if let problem = try referenceProblem(target, id: id, in: db, clearance: clearance) {
                        errors.append(FieldError(spec.name, problem))
                    }
                }
            default:
                continue
            }
        }
        if kind == .allegations {
            errors += try Republication.errors(of: fields, id: recordID, stored: stored, in: db, clearance: clearance)
        }
        return errors
    }

    /// `patch` with the references the caller cannot see kept as stored. The caller is shown
    /// them as null (a list without them), so a patch is read as changing what it was shown: a
    /// null sent for a field that is already null to the caller changes nothing, and a list sent
    /// keeps the hidden ids it never saw (in their places when the visible part is unchanged).
    /// A new value for a single reference replaces it, as it would a null. Refusing such patches
    /// instead would tell the caller which nulls hide a record, which the null is there to hide.
    static func keepingHiddenReferences(
        _ patch: JSONObject, stored: JSONObject, kind: ResourceKind, in db: Database, clearance: Confidentiality
    ) throws -> JSONObject {
        guard clearance < .confidential else { return patch }
        var kept = patch
        func isHidden(_ id: String, _ target: ResourceKind) throws -> Bool {
            try Store.storedLevel(target, id: id, in: db).map { $0 > clearance } ?? false
        }
        for spec in kind.fields {
            guard let sent = patch[spec.name] else { continue }
            switch (spec.type, stored[spec.name]) {
            case (.reference(let target), .string(let id)?):
                if sent == .null, try isHidden(id, target) { kept[spec.name] = nil }
            case (.references(let target), .array(let items)?):
                var hidden: [JSONValue] = []
                var visible: [JSONValue] = []
                for item in items {
                    if case .string(let id) = item, try isHidden(id, target) {
                        hidden.append(item)
                    } else {
                        visible.append(item)
                    }
                }
                guard !hidden.isEmpty else { continue }
                let asked: [JSONValue]
                switch sent {
                case .array(let list): asked = list
                case .null: asked = []
                default: continue  // not a list: validation refuses it
                }
                kept[spec.name] =
                    asked == visible ? .array(items) : .array(asked + hidden.filter { !asked.contains($0) })
            default:
                continue
            }
        }
        return kept
    }

    /// The level of the record `id` of `kind` as stored (tombstones included), or nil when there
    /// is none: what decides whether a reference to it is shown to a caller.
    static func storedLevel(_ kind: ResourceKind, id: String, in db: Database) throws -> Confidentiality? {
        let statement = try db.cachedStatement("SELECT confidentiality FROM \(kind.table) WHERE id = ?")
        var level: Confidentiality?
        try statement.forEachRow([.text(id)]) { row in level = Confidentiality(rawValue: Int(row.int64(0))) }
        return level
    }

    /// Why `id` cannot be referenced, or nil when it can. A record above the caller's clearance
    /// is reported exactly like a missing one.
    static func referenceProblem(
        _ kind: ResourceKind, id: String, in db: Database, clearance: Confidentiality
    ) throws -> String? {
        let statement = try db.cachedStatement("SELECT confidentiality, deleted_at FROM \(kind.table) WHERE id = ?")
        var found: (level: Int64, deleted: Bool)?
        try statement.forEachRow([.text(id)]) { row in found = (row.int64(0), !row.isNull(1)) }
        guard let found, found.level <= Int64(clearance.rawValue) else { return "no \(kind.singular) \(id)" }
        return found.deleted ? "\(kind.singular) \(id) is deleted" : nil
    }
}
