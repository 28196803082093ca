// Reads one request per line as hex on standard input and prints, per line, a JSON object with
// what VigilHTTP's parser made of it: the first request's method, target, headers and body, or
// the status it was refused with. Built from the parser's sources by differential.py.

func hexDecode(_ line: Substring) -> [UInt8] {
    var bytes: [UInt8] = []
    var iterator = line.utf8.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        bytes.append((PercentDecoding.hexValue(high) ?? 0) << 4 | (PercentDecoding.hexValue(low) ?? 0))
    }
    return bytes
}

func quote(_ string: String) -> String {
    var output = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
    }
    return output + "\""
}

func describe(_ data: [UInt8]) -> String {
    var parser = HTTPRequestParser()
    var offset = 0
    while true {
        do {
            let (consumed, output) = try data[offset...].withUnsafeBufferPointer { (pointer) throws(HTTPParseError) in
                try parser.parse(pointer)
            }
            offset += consumed
            switch output {
            case .needMoreData:
                return "{\"ok\":false,\"status\":0,\"reason\":\"incomplete\"}"
            case .head:
                try parser.beginBody(limit: 1 << 20)
            case .request(let head, let body, _):
                let headers = head.headers.fields.map { "[\(quote($0.name)),\(quote($0.value))]" }.joined(
                    separator: ",")
                let bodyHex = body.map {
                    String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
                }.joined()
                return
                    "{\"ok\":true,\"method\":\(quote(head.method)),\"target\":\(quote(head.target)),\"headers\":[\(headers)],\"body\":\"\(bodyHex)\"}"
            }
        } catch {
            return "{\"ok\":false,\"status\":\(error.status),\"reason\":\(quote(error.detail))}"
        }
    }
}

@main
struct ParseCLI {
    static func main() {
        while let line = readLine() {
            print(describe(hexDecode(line[...])))
        }
    }
}
