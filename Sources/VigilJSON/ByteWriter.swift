/// Where ``JSONWriter`` appends bytes: a `[UInt8]`, or a ``ByteWriter`` on the hottest paths.
public protocol JSONByteSink: ~Copyable {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteSink where Element == UInt8 {
    @inline(__always)
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A growable byte buffer for encoding records: plain memory with a count, so appending a byte
/// is a bounds check and a store.
///
/// `Array.append` checks uniqueness and may retain and release its storage on every call; over
/// the few thousand appends of a 50-record page that bookkeeping and the copies around it were
/// about a fifth of the page's time in the profile. One writer is reused for every record of a
/// page, so a record costs one allocation (its final `[UInt8]`) however it grows.
/// Noncopyable: its memory has one owner, freed when the writer ends.
/// Inlinable: it is the inner loop of every record encoder, which lives in another module.
public struct ByteWriter: ~Copyable, JSONByteSink {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0
    /// Bytes written so far.
    public var count: Int { written }

    public init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if written == capacity { grow(minimum: written + 1) }
        start[written] = byte
        written += 1
    }

    @inlinable @inline(__always)
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        let needed = written + bytes.count
        if needed > capacity { grow(minimum: needed) }
        (start + written).update(from: base, count: bytes.count)
        written = needed
    }

    /// Starts over, keeping the memory.
    @inlinable public mutating func removeAll() {
        written = 0
    }

    /// The bytes written so far, copied into an array of exactly their size.
    public func bytes() -> [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: written))
    }

    @usableFromInline @inline(never)
    mutating func grow(minimum: Int) {
        let newCapacity = max(capacity * 2, minimum)
        let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStart.update(from: start, count: written)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }
}
