/// A fenced block whose info string names a directive, read into options and lines.
public struct DirectiveBlock: Hashable, Sendable {
  public var kind: DirectiveKind
  /// The word after the directive (`hk` in ```` ```backward hk ````).
  public var name: String?
  /// `key: value` options, from the body and from `key=value` words on the fence line.
  public var options: [DirectiveOption]
  /// The body lines that are not options (the equations of `expr`, assertions of `expect`).
  public var lines: [SourceText]
  /// From the opening fence to the closing one.
  public var range: SourceRange
  /// The info string, as written.
  public var info: String

  /// The last value given for an option.
  public func option(_ key: String) -> DirectiveOption? {
    options.last { $0.key == key }
  }

  /// Every value given for a repeatable option, in order.
  public func options(_ key: String) -> [DirectiveOption] {
    options.filter { $0.key == key }
  }

  /// `backward hk` — how reports and messages name the block.
  public var title: String {
    [kind.rawValue, name].compactMap { $0 }.joined(separator: " ")
  }
}

/// An option's key and value, with where each stands.
public struct DirectiveOption: Hashable, Sendable {
  public var key: String
  public var value: String
  public var keyLocation: SourceLocation
  /// Where the value starts (for a value on continuation lines, where the first one starts).
  public var valueLocation: SourceLocation
  /// The line the option is on.
  public var sourceLine: String

  public init(
    key: String, value: String, keyLocation: SourceLocation, valueLocation: SourceLocation,
    sourceLine: String
  ) {
    self.key = key
    self.value = value
    self.keyLocation = keyLocation
    self.valueLocation = valueLocation
    self.sourceLine = sourceLine
  }
}

/// A line of text and where it starts.
public struct SourceText: Hashable, Sendable {
  public var text: String
  public var location: SourceLocation
  public var sourceLine: String
}
