import Notebook

/// One option of a directive, declared once: its key, what it means, an example, and the
/// property its typed value goes into. Reading a block, writing the reference and stating
/// the default all come from this declaration (as swift-argument-parser's `@Option` does).
public struct OptionField<Options> {
  public var name: String
  public var summary: String
  public var example: String
  /// Whether the option may be given more than once (`layer`).
  public var repeatable: Bool
  /// What the option takes, from its type.
  public var takes: String
  /// The default, as a notebook would write it; `nil` when there is none.
  var defaultText: (Options) -> String?
  /// Reads the option's occurrences into the value.
  var assign: (inout Options, [DirectiveOption]) throws -> Void

  /// An option with a default (the property's initial value).
  static func option<T>(
    _ name: String, _ path: WritableKeyPath<Options, T>, _ type: OptionType<T>, _ summary: String,
    example: String
  ) -> Self {
    OptionField(
      name: name, summary: summary, example: example, repeatable: false, takes: type.summary,
      defaultText: { type.show($0[keyPath: path]) },
      assign: { options, given in
        if let last = given.last { options[keyPath: path] = try type.read(last) }
      })
  }

  /// An option that may be left out; `default` says in words what happens then.
  static func option<T>(
    _ name: String, _ path: WritableKeyPath<Options, T?>, _ type: OptionType<T>, _ summary: String,
    example: String, default text: String? = nil
  ) -> Self {
    OptionField(
      name: name, summary: summary, example: example, repeatable: false, takes: type.summary,
      defaultText: { _ in text },
      assign: { options, given in
        if let last = given.last { options[keyPath: path] = try type.read(last) }
      })
  }

  /// `as:`, the name a block's results are stored under instead of its model's.
  static func storedAs(
    _ path: WritableKeyPath<Options, String?>, example: String, _ summary: String? = nil
  )
    -> Self
  {
    .option(
      "as", path, .name, summary ?? "the name its results are stored under", example: example,
      default: "the model's name")
  }

  /// An option given once per line of its kind (`layer: 2 sigmoid`), in order.
  static func repeated<T>(
    _ name: String, _ path: WritableKeyPath<Options, [T]>, _ type: OptionType<T>,
    _ summary: String, example: String
  ) -> Self {
    OptionField(
      name: name, summary: summary, example: example, repeatable: true, takes: type.summary,
      defaultText: { _ in nil },
      assign: { options, given in
        // Every line read, so that two bad lines are two errors in one run.
        var values: [T] = []
        var errors: [BlockError] = []
        for option in given {
          do {
            values.append(try type.read(option))
          } catch let error as BlockError {
            errors.append(error)
          } catch let list as BlockErrorList {
            errors += list.errors
          }
        }
        if !errors.isEmpty { throw BlockErrorList(errors: errors) }
        options[keyPath: path] = values
      })
  }
}

/// A type whose options are declared as ``OptionField``s.
protocol DeclaredOptions {
  init()
  static var fields: [OptionField<Self>] { get }
}

extension DeclaredOptions {
  /// Reads the options a block gives into a value, collecting every mistake. Options of
  /// other sets (`known`) are skipped; unknown ones are reported when `strict`.
  static func read(_ block: DirectiveBlock) -> (Self, [BlockError]) {
    var value = Self()
    var errors: [BlockError] = []
    for field in fields {
      let given = block.options(field.name)
      guard !given.isEmpty else { continue }
      if !field.repeatable, given.count > 1, let second = given.dropFirst().first {
        var error = BlockError(
          "'\(field.name)' is given twice in one \(block.kind.rawValue) block", at: second,
          hint: "keep one")
        error.location = second.keyLocation
        error.length = field.name.count
        errors.append(error)
        continue
      }
      do {
        try field.assign(&value, given)
      } catch let error as BlockError {
        errors.append(error)
      } catch let list as BlockErrorList {
        errors += list.errors
      } catch {
        errors.append(BlockError("\(error)", at: given.last))
      }
    }
    return (value, errors)
  }

  /// The default-made value, for the reference.
  static var defaults: Self { Self() }
}
