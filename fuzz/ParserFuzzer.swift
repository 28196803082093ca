// libFuzzer entry point for the request parser. Built from the parser's sources by run.sh.
//
// Each input is parsed twice, once in a single buffer and once split into one-byte reads; the two
// runs must agree exactly (same requests, same error), which catches state-machine bugs that a
// crash-only fuzzer would not.

enum FuzzOutcome: Equatable {
    case request(HTTPRequestHead, [UInt8], HTTPHeaders)
    case failure(HTTPParseError)
}

func drive(_ data: [UInt8], chunkSize: Int) -> [FuzzOutcome] {
    var parser = HTTPRequestParser()
    var outcomes: [FuzzOutcome] = []
    var buffer: [UInt8] = []
    var fed = 0
    while true {
        if fed < data.count {
            let next = min(data.count, fed + chunkSize)
            buffer.append(contentsOf: data[fed..<next])
            fed = next
        }
        var progressed = true
        while progressed {
            progressed = false
            do {
                let (consumed, output) = try buffer.withUnsafeBufferPointer { try parser.parse($0) }
                buffer.removeFirst(consumed)
                switch output {
                case .needMoreData:
                    break
                case .head:
                    try parser.beginBody(limit: 64 * 1024)
                    progressed = true
                case .request(let head, let body, let trailers):
                    outcomes.append(.request(head, body, trailers))
                    progressed = true
                }
            } catch let error as HTTPParseError {
                outcomes.append(.failure(error))
                return outcomes
            } catch {
                fatalError("untyped error \(error)")
            }
        }
        if fed >= data.count { return outcomes }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Array(UnsafeBufferPointer(start: start, count: count))
    let whole = drive(data, chunkSize: max(count, 1))
    let split = drive(data, chunkSize: 1)
    if whole != split {
        fatalError("parser outcome depends on how the input is split")
    }
    return 0
}
