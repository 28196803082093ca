import CSQLite
import Glibc

/// `vigil_snippet(fts_table, column, open, close, ellipsis, tokens)`: FTS5's `snippet()` with the
/// same arguments and output shape, at a cost that grows with the row's text and no faster.
///
/// FTS5's own snippet scores a window at every match against every other match, so a text with
/// 5,000 matches of one word cost it 25 million steps per row: 60 such rows took 18.6 s, all
/// inside one step of the statement, where the progress handler that enforces the query time
/// limit never runs. Here the best window is found in one pass over the matches (two pointers:
/// the window is a number of tokens, not of matches), the text is tokenized only up to the end
/// of that window, and the connection's deadline (time limit or read budget) is checked before
/// each row, so a search over huge texts ends within its limit like any other query.
///
/// The window is scored as FTS5 scores it: 1,000 for each distinct phrase it holds, 1 for each
/// further match; the best is the first of the highest. It is then centred on its matches
/// within the column. The matched tokens of each phrase are wrapped in `open` and `close`
/// (overlapping matches as one), `ellipsis` marks text left out before or after, and a window
/// that reaches the start or the end of the column takes the text before or after it whole.
enum SnippetFunction {
    /// The SQL name of the function.
    static let name = "vigil_snippet"

    /// The pointer type FTS5 hands its API under; it must outlive every bind, hence one copy.
    nonisolated(unsafe) private static let apiPointerType = strdup("fts5_api_ptr")!

    /// Registers the function on `db`'s FTS5, with `db` as its context (for the deadline).
    static func register(on db: Database) throws(SQLiteError) {
        var statement: OpaquePointer?
        var code = sqlite3_prepare_v2(db.handle, "SELECT fts5(?1)", -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw SQLiteError(connection: db.handle, code: code) }
        defer { sqlite3_finalize(statement) }
        var api: UnsafeMutablePointer<fts5_api>?
        withUnsafeMutablePointer(to: &api) { pointer in
            _ = sqlite3_bind_pointer(statement, 1, UnsafeMutableRawPointer(pointer), apiPointerType, nil)
        }
        code = sqlite3_step(statement)
        guard code == SQLITE_ROW, let api, api.pointee.iVersion >= 2, let create = api.pointee.xCreateFunction else {
            throw SQLiteError(extendedCode: SQLITE_ERROR, message: "FTS5 is not available in this SQLite")
        }
        let context = Unmanaged.passUnretained(db).toOpaque()
        code = create(api, name, context, snippetEntryPoint, nil)
        guard code == SQLITE_OK else { throw SQLiteError(connection: db.handle, code: code) }
    }

    /// One match: which phrase, in which column, at which token.
    struct Match {
        let phrase: Int32
        let column: Int32
        let offset: Int32
    }

    /// The window to show: the column, its first token and the matches it holds.
    struct Window {
        var column: Int32 = 0
        var start: Int32 = 0
        var matches: Range<Int> = 0..<0
    }

    /// The best window of `tokens` tokens over `matches` (sorted by column, then token), as
    /// FTS5 scores windows; one pass.
    static func bestWindow(_ matches: [Match], phraseSizes: [Int32], tokens: Int32) -> Window {
        var best = Window()
        guard !matches.isEmpty else { return best }
        var bestScore = -1
        var counts = [Int](repeating: 0, count: phraseSizes.count)
        var distinct = 0
        var held = 0
        var end = 0
        for first in matches.indices {
            let column = matches[first].column
            let limit = Int64(matches[first].offset) + Int64(tokens)
            while end < matches.count, matches[end].column == column, Int64(matches[end].offset) < limit {
                let phrase = Int(matches[end].phrase)
                if counts[phrase] == 0 { distinct += 1 }
                counts[phrase] += 1
                held += 1
                end += 1
            }
            let score = distinct * 1000 + (held - distinct)
            if score > bestScore {
                bestScore = score
                best = Window(column: column, start: matches[first].offset, matches: first..<end)
            }
            let phrase = Int(matches[first].phrase)
            counts[phrase] -= 1
            if counts[phrase] == 0 { distinct -= 1 }
            held -= 1
        }
        return best
    }

    /// Token spans (first, last) to highlight in the window, overlapping ones merged.
    static func highlights(
        _ matches: ArraySlice<Match>, phraseSizes: [Int32], window: Range<Int32>
    ) -> [(first: Int32, last: Int32)] {
        var spans: [(first: Int32, last: Int32)] = []
        for match in matches {
            let size = max(1, phraseSizes[Int(match.phrase)])
            let first = max(match.offset, window.lowerBound)
            let last = min(match.offset + size - 1, window.upperBound - 1)
            guard first <= last else { continue }
            if let previous = spans.last, first <= previous.last {
                spans[spans.count - 1].last = max(previous.last, last)
            } else {
                spans.append((first, last))
            }
        }
        return spans
    }
}

/// Collects the byte ranges of the tokens of one column up to the window's end.
private final class TokenRanges {
    let stopAfter: Int32
    var ranges: [(start: Int32, end: Int32)] = []
    var count: Int32 = 0

    init(stopAfter: Int32) { self.stopAfter = stopAfter }
}

/// FTS5's tokenizer callback: notes each token's bytes; stops once the window is passed.
private let collectToken: @convention(c) (
    UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32, Int32, Int32
) -> Int32 = { context, flags, _, _, start, end in
    guard let context else { return SQLITE_ERROR }
    let ranges = Unmanaged<TokenRanges>.fromOpaque(context).takeUnretainedValue()
    if flags & FTS5_TOKEN_COLOCATED != 0 { return SQLITE_OK }  // a synonym at the same position
    ranges.ranges.append((start, end))
    ranges.count += 1
    return ranges.count >= ranges.stopAfter ? SQLITE_DONE : SQLITE_OK
}

private func resultText(_ context: OpaquePointer?, _ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { buffer in
        sqlite3_result_text(
            context, UnsafeRawPointer(buffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) },
            Int32(buffer.count), vigil_sqlite3_transient())
    }
}

private func textArgument(_ value: OpaquePointer?) -> [UInt8] {
    guard let text = sqlite3_value_text(value) else { return [] }
    return Array(UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))))
}

/// The function FTS5 calls for each row (see ``SnippetFunction``).
private let snippetEntryPoint: fts5_extension_function = { api, fts, context, count, values in
    guard let api, let fts, let values, count == 5,
          let userData = api.pointee.xUserData?(fts)
    else {
        sqlite3_result_error(context, "vigil_snippet takes column, open, close, ellipsis and tokens", -1)
        return
    }
    let db = Unmanaged<Database>.fromOpaque(userData).takeUnretainedValue()
    if db.isPastDeadline {
        sqlite3_result_error_code(context, SQLITE_INTERRUPT)
        return
    }
    let wantedColumn = sqlite3_value_int(values[0])
    let open = textArgument(values[1])
    let close = textArgument(values[2])
    let ellipsis = textArgument(values[3])
    let tokens = max(1, min(64, sqlite3_value_int(values[4])))

    var code: Int32 = SQLITE_OK
    var phraseSizes: [Int32] = []
    let phraseCount = api.pointee.xPhraseCount!(fts)
    for phrase in 0..<phraseCount { phraseSizes.append(api.pointee.xPhraseSize!(fts, phrase)) }
    var instanceCount: Int32 = 0
    code = api.pointee.xInstCount!(fts, &instanceCount)
    guard code == SQLITE_OK else { return sqlite3_result_error_code(context, code) }
    var matches: [SnippetFunction.Match] = []
    matches.reserveCapacity(Int(instanceCount))
    var sorted = true
    for index in 0..<instanceCount {
        var phrase: Int32 = 0
        var column: Int32 = 0
        var offset: Int32 = 0
        code = api.pointee.xInst!(fts, index, &phrase, &column, &offset)
        guard code == SQLITE_OK else { return sqlite3_result_error_code(context, code) }
        guard wantedColumn < 0 || column == wantedColumn, phrase >= 0, phrase < phraseCount else { continue }
        let match = SnippetFunction.Match(phrase: phrase, column: column, offset: offset)
        if let last = matches.last, (last.column, last.offset) > (column, offset) { sorted = false }
        matches.append(match)
    }
    if !sorted { matches.sort { ($0.column, $0.offset) < ($1.column, $1.offset) } }

    var window = SnippetFunction.bestWindow(matches, phraseSizes: phraseSizes, tokens: tokens)
    if matches.isEmpty { window.column = max(0, wantedColumn) }
    var columnTokens: Int32 = 0
    code = api.pointee.xColumnSize!(fts, window.column, &columnTokens)
    guard code == SQLITE_OK else { return sqlite3_result_error_code(context, code) }
    if !window.matches.isEmpty {
        // Centre the window on the matches it holds, within the column.
        let last = matches[window.matches].map { $0.offset + max(1, phraseSizes[Int($0.phrase)]) - 1 }.max() ?? window.start
        let spare = tokens - (last - window.start + 1)
        if spare > 0 { window.start -= spare / 2 }
        window.start = max(0, min(window.start, columnTokens - tokens))
    }
    let windowEnd = window.start + tokens

    var text: UnsafePointer<CChar>?
    var textBytes: Int32 = 0
    code = api.pointee.xColumnText!(fts, window.column, &text, &textBytes)
    guard code == SQLITE_OK else { return sqlite3_result_error_code(context, code) }
    guard let text, textBytes > 0 else { return resultText(context, []) }
    let ranges = TokenRanges(stopAfter: windowEnd)
    code = withExtendedLifetime(ranges) {
        api.pointee.xTokenize!(fts, text, textBytes, Unmanaged.passUnretained(ranges).toOpaque(), collectToken)
    }
    guard code == SQLITE_OK || code == SQLITE_DONE else { return sqlite3_result_error_code(context, code) }
    let bytes = UnsafeRawBufferPointer(start: text, count: Int(textBytes))
    guard window.start < ranges.count else {
        return resultText(context, Array(bytes))  // fewer tokens than expected: the text as it is
    }
    let shown = window.start..<min(windowEnd, ranges.count)
    let spans = SnippetFunction.highlights(matches[window.matches], phraseSizes: phraseSizes, window: shown)

    var out: [UInt8] = []
    out.reserveCapacity(256)
    var cursor: Int
    if window.start > 0 {
        out += ellipsis
        cursor = Int(ranges.ranges[Int(window.start)].start)
    } else {
        cursor = 0
    }
    var span = 0
    for token in shown {
        let range = ranges.ranges[Int(token)]
        let start = max(cursor, Int(range.start))
        let end = max(start, Int(range.end))
        out += bytes[cursor..<start]
        if span < spans.count, spans[span].first == token { out += open }
        out += bytes[start..<end]
        if span < spans.count, spans[span].last == token {
            out += close
            span += 1
        }
        cursor = end
    }
    if shown.upperBound >= columnTokens {
        out += bytes[cursor...]
    } else {
        out += ellipsis
    }
    resultText(context, out)
}
