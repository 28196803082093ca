import CSQLite
import Glibc
import VigilSQLite

/// `vigil_snippet(fts_table, column, open, close, ellipsis, tokens)`: FTS5's `snippet()` with the
/// same arguments and the same answer, at a cost that grows with the row's text and no faster.
///
/// FTS5's own snippet scores a window at every match against every other match, so a text with
/// 5,000 matches of one word cost it 25 million steps per row: 60 such rows took 18.6 s, all
/// inside one step of the statement, where the progress handler that enforces the query time
/// limit never runs. Here each column's windows are scored in one pass over its matches (two
/// sliding windows: one at each match, one at the sentence before it), and the connection's
/// deadline (time limit or read budget) is checked before each row, so a search over huge texts
/// ends within its limit like any other query.
///
/// The choice is FTS5's (`fts5SnippetFunction` in SQLite's `fts5_aux.c`), so answers do not change
/// with the function: for each match, the window of `tokens` tokens from it scores 1,000 for each
/// distinct phrase it holds and 1 for each further match, and is then centred on those matches
/// within the column; the window from the start of the sentence that holds the match scores the
/// same plus 100 (120 for the column's first sentence), and is kept where it starts. The first
/// strictly best wins. Its matches are wrapped in `open` and `close` (overlapping ones as one; one
/// that starts before the window is left plain, one that runs past its end is closed there),
/// `ellipsis` marks text left out before or after, and a window that reaches the start or the
/// end of the column takes the text before or after it whole.
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

    /// The window chosen: its column, its first token, and the column's length in tokens.
    struct Choice: Equatable {
        var column: Int32
        var start: Int32
        var columnTokens: Int32
    }

    /// The matches in a window of tokens that only moves forward, counted as FTS5 scores them.
    struct SlidingWindow {
        private var counts: [Int32]
        private var distinct = 0
        private var held = 0
        /// The matches in the window, as indices into the column's matches.
        private(set) var first: Int
        private(set) var end: Int

        init(phrases: Int, from index: Int) {
            counts = [Int32](repeating: 0, count: phrases)
            first = index
            end = index
        }

        /// 1,000 for each distinct phrase held, 1 for each further match.
        var score: Int { distinct * 1000 + (held - distinct) }

        /// Moves the window to `[start, start + width)`; `start` never goes back.
        mutating func move(to start: Int64, width: Int64, over matches: [Match], until limit: Int) {
            while end < limit, Int64(matches[end].offset) < start + width {
                let phrase = Int(matches[end].phrase)
                if counts[phrase] == 0 { distinct += 1 }
                counts[phrase] += 1
                held += 1
                end += 1
            }
            while first < end, Int64(matches[first].offset) < start {
                let phrase = Int(matches[first].phrase)
                counts[phrase] -= 1
                if counts[phrase] == 0 { distinct -= 1 }
                held -= 1
                first += 1
            }
        }
    }

    /// The window FTS5 would show, over `matches` (sorted by column, then token) of the columns
    /// whose sentence starts and lengths `columns` gives, in column order.
    static func choose(
        _ matches: [Match], phraseSizes: [Int32], tokens: Int32,
        columns: [(column: Int32, sentenceStarts: [Int32], tokens: Int32)]
    ) -> Choice? {
        var best: Choice?
        var bestScore = 0
        var index = 0
        let width = Int64(tokens)
        for column in columns {
            while index < matches.count, matches[index].column < column.column { index += 1 }
            let first = index
            while index < matches.count, matches[index].column == column.column { index += 1 }
            let limit = index
            var atMatch = SlidingWindow(phrases: phraseSizes.count, from: first)
            var atSentence = SlidingWindow(phrases: phraseSizes.count, from: first)
            var sentence = 0
            let starts = column.sentenceStarts
            for match in matches[first..<limit] {
                let offset = Int64(match.offset)
                atMatch.move(to: offset, width: width, over: matches, until: limit)
                let score = atMatch.score
                if score > bestScore {
                    // Centred as FTS5 centres it: on the span from the first match to the end of
                    // the last, with C's division, then kept within the column.
                    let iFirst = Int64(matches[atMatch.first].offset)
                    let lastMatch = matches[atMatch.end - 1]
                    let iLast = Int64(lastMatch.offset) + Int64(phraseSizes[Int(lastMatch.phrase)])
                    var adjusted = iFirst - (width - (iLast - iFirst)) / 2
                    if adjusted + width > Int64(column.tokens) { adjusted = Int64(column.tokens) - width }
                    if adjusted < 0 { adjusted = 0 }
                    bestScore = score
                    best = Choice(column: column.column, start: Int32(adjusted), columnTokens: column.tokens)
                }
                guard !starts.isEmpty, column.tokens > tokens else { continue }
                while sentence + 1 < starts.count, Int64(starts[sentence + 1]) <= offset { sentence += 1 }
                let start = starts[sentence]
                guard Int64(start) < offset else { continue }
                atSentence.move(to: Int64(start), width: width, over: matches, until: limit)
                let sentenceScore = atSentence.score + (start == 0 ? 120 : 100)
                if sentenceScore > bestScore {
                    bestScore = sentenceScore
                    best = Choice(column: column.column, start: start, columnTokens: column.tokens)
                }
            }
        }
        return best
    }

    /// Token spans (first, last) to highlight in `window`: the column's matches, overlapping ones
    /// merged as FTS5 merges them, those that start before the window left out, clipped at its end.
    static func highlights(
        _ matches: ArraySlice<Match>, phraseSizes: [Int32], window: Range<Int32>
    ) -> [(first: Int32, last: Int32)] {
        var merged: [(first: Int32, last: Int32)] = []
        for match in matches {
            let last = match.offset - 1 + phraseSizes[Int(match.phrase)]
            if let previous = merged.last, match.offset <= previous.last {
                merged[merged.count - 1].last = max(previous.last, last)
            } else {
                merged.append((match.offset, last))
            }
        }
        return merged.compactMap { span in
            guard span.first >= window.lowerBound, span.first < window.upperBound else { return nil }
            return (span.first, min(span.last, window.upperBound - 1))
        }
    }
}

/// One column's tokens: the byte range of each, and which of them start a sentence (FTS5's
/// rule: the first token, and any whose preceding text, past at least one space, ends in '.' or
/// ':').
private final class ColumnTokens {
    let text: UnsafePointer<CChar>
    var ranges: [(start: Int32, end: Int32)] = []
    var sentenceStarts: [Int32] = []

    init(text: UnsafePointer<CChar>) { self.text = text }
}

/// FTS5's tokenizer callback: notes each token's bytes and whether it starts a sentence.
private let collectToken:
    @convention(c) (
        UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32, Int32, Int32
    ) -> Int32 = { context, flags, _, _, start, end in
        guard let context else { return SQLITE_ERROR }
        let column = Unmanaged<ColumnTokens>.fromOpaque(context).takeUnretainedValue()
        if flags & FTS5_TOKEN_COLOCATED != 0 { return SQLITE_OK }  // a synonym at the same position
        let position = Int32(column.ranges.count)
        if position == 0 {
            column.sentenceStarts.append(0)
        } else {
            var index = Int(start) - 1
            var character: CChar = 0
            while index >= 0 {
                character = column.text[index]
                if character != 0x20 && character != 0x09 && character != 0x0A && character != 0x0D { break }
                index -= 1
            }
            if index != Int(start) - 1 && (character == 0x2E || character == 0x3A) {  // '.' or ':'
                column.sentenceStarts.append(position)
            }
        }
        column.ranges.append((start, end))
        return SQLITE_OK
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

    /// A column's text and tokens; tokenizing is linear in the text.
    func tokenize(_ column: Int32) -> (tokens: ColumnTokens?, bytes: Int32, code: Int32) {
        var text: UnsafePointer<CChar>?
        var textBytes: Int32 = 0
        var code = api.pointee.xColumnText!(fts, column, &text, &textBytes)
        guard code == SQLITE_OK, let text, textBytes > 0 else { return (nil, 0, code) }
        let tokens = ColumnTokens(text: text)
        code = withExtendedLifetime(tokens) {
            api.pointee.xTokenize!(fts, text, textBytes, Unmanaged.passUnretained(tokens).toOpaque(), collectToken)
        }
        return (tokens, textBytes, code)
    }

    // Only the columns with matches can hold the best window; each is tokenized once.
    var columns: [(column: Int32, sentenceStarts: [Int32], tokens: Int32)] = []
    var tokenized: [Int32: (tokens: ColumnTokens?, bytes: Int32)] = [:]
    for match in matches where columns.last?.column != match.column {
        let (columnTokens, bytes, tokenizeCode) = tokenize(match.column)
        guard tokenizeCode == SQLITE_OK else { return sqlite3_result_error_code(context, tokenizeCode) }
        var size: Int32 = 0
        code = api.pointee.xColumnSize!(fts, match.column, &size)
        guard code == SQLITE_OK else { return sqlite3_result_error_code(context, code) }
        tokenized[match.column] = (columnTokens, bytes)
        columns.append((match.column, columnTokens?.sentenceStarts ?? [], size))
    }
    var choice: SnippetFunction.Choice
    if let chosen = SnippetFunction.choose(matches, phraseSizes: phraseSizes, tokens: tokens, columns: columns) {
        choice = chosen
    } else {
        let column = max(0, wantedColumn)
        var size: Int32 = 0
        code = api.pointee.xColumnSize!(fts, column, &size)
        guard code == SQLITE_OK else { return sqlite3_result_error_code(context, code) }
        choice = SnippetFunction.Choice(column: column, start: 0, columnTokens: size)
    }
    if tokenized[choice.column] == nil {
        let (columnTokens, bytes, tokenizeCode) = tokenize(choice.column)
        guard tokenizeCode == SQLITE_OK else { return sqlite3_result_error_code(context, tokenizeCode) }
        tokenized[choice.column] = (columnTokens, bytes)
    }
    guard let (found, textBytes) = tokenized[choice.column], let column = found else {
        return resultText(context, [])
    }
    let bytes = UnsafeRawBufferPointer(start: column.text, count: Int(textBytes))
    let tokenCount = Int32(column.ranges.count)
    let windowEnd = choice.start + tokens
    guard choice.start < tokenCount else {
        return resultText(context, Array(bytes))  // fewer tokens than expected: the text as it is
    }
    let shown = choice.start..<min(windowEnd, tokenCount)
    let inColumn = matches.filter { $0.column == choice.column }
    let spans = SnippetFunction.highlights(inColumn[...], phraseSizes: phraseSizes, window: choice.start..<windowEnd)

    var out: [UInt8] = []
    out.reserveCapacity(256)
    var cursor: Int
    if choice.start > 0 {
        out += ellipsis
        cursor = Int(column.ranges[Int(choice.start)].start)
    } else {
        cursor = 0
    }
    var span = 0
    for token in shown {
        let range = column.ranges[Int(token)]
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
    if windowEnd - 1 >= choice.columnTokens - 1 {
        out += bytes[cursor...]
    } else {
        out += ellipsis
    }
    resultText(context, out)
}
