/// A 1-based line and column in a notebook's source.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }

  /// `12:3`.
  public var description: String { "\(line):\(column)" }
}

/// The lines a block spans, first to last, inclusive (1-based).
public struct SourceRange: Hashable, Sendable {
  public var start: SourceLocation
  public var end: SourceLocation

  public init(start: SourceLocation, end: SourceLocation) {
    self.start = start
    self.end = end
  }

  public var lines: ClosedRange<Int> { start.line...max(start.line, end.line) }

  /// The same range `count` lines further down.
  public func shifted(lines count: Int) -> SourceRange {
    SourceRange(
      start: SourceLocation(line: start.line + count, column: start.column),
      end: SourceLocation(line: end.line + count, column: end.column))
  }
}

extension Array where Element == ClosedRange<Int> {
  /// Whether one of these ranges holds `line`, for ranges in order that do not overlap (a
  /// notebook's solution regions, its code blocks' lines): a binary search.
  public func covers(_ line: Int) -> Bool {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if self[middle].upperBound < line { low = middle + 1 } else { high = middle }
    }
    return low < count && self[low].contains(line)
  }
}
