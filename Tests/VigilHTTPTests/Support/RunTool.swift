import Foundation

struct ToolError: Error, CustomStringConvertible {
    let description: String
}

/// Runs a command-line tool and returns its standard output; fails loudly if the tool is missing.
func runTool(_ path: String, _ arguments: [String], timeout: Double = 60) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ToolError(
            description:
                "\(arguments.first ?? path) exited \(process.terminationStatus): \(String(decoding: errorData, as: UTF8.self)) (is it installed?)"
        )
    }
    return String(decoding: data, as: UTF8.self)
}
