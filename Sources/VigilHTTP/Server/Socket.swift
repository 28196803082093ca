import CEpoll
import Glibc
import VigilThreads

/// The POSIX socket calls the server needs, with errors turned into ``SocketError``.
enum Socket {
    /// Creates a nonblocking listening socket on `host:port` (port 0 picks a free one).
    /// `::` listens on IPv6 and IPv4 alike; `SO_REUSEADDR` lets a restart rebind at once.
    static func listen(host: String, port: Int, backlog: Int32) throws(SocketError) -> (
        fd: Int32, address: String, port: Int
    ) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &result)
        guard status == 0, let info = result else { throw .invalidAddress(host) }
        defer { freeaddrinfo(result) }

        let fd = socket(
            info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", code: errno) }
        do throws(SocketError) {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if info.pointee.ai_family == AF_INET6 {
                try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0)
            }
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                throw .system(call: "bind", code: errno)
            }
            guard Glibc.listen(fd, backlog) == 0 else { throw .system(call: "listen", code: errno) }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { throw .system(call: "getsockname", code: errno) }
            let (address, boundPort) = describe(storage)
            return (fd, address, boundPort)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw .system(call: "setsockopt", code: errno)
        }
    }

    /// Numeric address and port of a socket address.
    static func describe(_ storage: sockaddr_storage) -> (String, Int) {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var inAddress = address.pointee.sin_addr
                    inet_ntop(AF_INET, &inAddress, &buffer, socklen_t(buffer.count))
                    return (stringFromCString(buffer), Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var inAddress = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &inAddress, &buffer, socklen_t(buffer.count))
                    return (stringFromCString(buffer), Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
        default:
            return ("unknown", 0)
        }
    }

    static func stringFromCString(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The peer of a connected socket as `address:port` or `[address]:port`.
    static func peerAddress(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard result == 0 else { return "unknown" }
        let (address, port) = describe(storage)
        return Int32(storage.ss_family) == AF_INET6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    enum SendResult {
        /// Everything from the offset on was sent.
        case complete
        /// The socket buffer is full; this many bytes were sent in total.
        case wouldBlock(sentUpTo: Int)
        /// The peer is gone or the socket failed.
        case failed(Int32)
    }

    /// Sends as much of `bytes[offset...]` as the socket takes now, without blocking or SIGPIPE.
    static func sendNonBlocking(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> SendResult {
        sendNonBlocking(fd, head: bytes, body: [], from: offset)
    }

    /// Sends as much of `head` then `body`, from `offset`, as the socket takes now, with one
    /// `sendmsg` for both, so a large body is not first copied behind its head. Offsets count
    /// from the start of `head`.
    static func sendNonBlocking(_ fd: Int32, head: [UInt8], body: [UInt8], from offset: Int = 0) -> SendResult {
        var offset = offset
        let total = head.count + body.count
        return head.withUnsafeBytes { headBytes in
            body.withUnsafeBytes { bodyBytes in
                while offset < total {
                    let sent = withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { vectors -> Int in
                        var count = 0
                        if offset < headBytes.count {
                            vectors[count] = iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: headBytes.baseAddress! + offset),
                                iov_len: headBytes.count - offset)
                            count += 1
                        }
                        let bodyOffset = max(0, offset - headBytes.count)
                        if bodyOffset < bodyBytes.count {
                            vectors[count] = iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress! + bodyOffset),
                                iov_len: bodyBytes.count - bodyOffset)
                            count += 1
                        }
                        var message = msghdr()
                        message.msg_iov = vectors.baseAddress
                        message.msg_iovlen = count
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                    if sent > 0 {
                        offset += sent
                    } else if sent < 0 && errno == EINTR {
                        continue
                    } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        return .wouldBlock(sentUpTo: offset)
                    } else {
                        return .failed(sent < 0 ? errno : EPIPE)
                    }
                }
                return .complete
            }
        }
    }

    /// Sends all of `bytes`, waiting for the socket to drain for at most `timeout` nanoseconds in
    /// total; used by workers streaming a body, where blocking the worker is the backpressure.
    static func sendBlocking(_ fd: Int32, _ bytes: [UInt8], timeout: UInt64) throws(HTTPBodyWriterError) {
        let deadline = MonotonicClock.now() + timeout
        var offset = 0
        while true {
            switch sendNonBlocking(fd, bytes, from: offset) {
            case .complete:
                return
            case .failed:
                throw .clientGone
            case .wouldBlock(let sentUpTo):
                offset = sentUpTo
                let now = MonotonicClock.now()
                guard now < deadline else { throw .writeTimeout }
                var pollDescriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let milliseconds = Int32(min((deadline - now) / 1_000_000 + 1, 60_000))
                let ready = poll(&pollDescriptor, 1, milliseconds)
                if ready < 0 && errno != EINTR { throw .clientGone }
                if ready > 0 && pollDescriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
                    && pollDescriptor.revents & Int16(POLLOUT) == 0
                {
                    throw .clientGone
                }
            }
        }
    }
}
