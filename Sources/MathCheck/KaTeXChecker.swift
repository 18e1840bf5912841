internal import CDuktape

/// KaTeX, run by duktape (an embeddable JavaScript engine), parsing TeX at build time: a
/// mistake in a notebook's math comes back as KaTeX's own message ("Undefined control
/// sequence: \fracc at position 1"), so nbrun reports it with the notebook's line and
/// column instead of a reader finding red text in the page. The only file that calls
/// duktape; KaTeX is loaded on the first formula not already known to parse, and the
/// JavaScript heap is freed with the checker.
public final class KaTeXChecker {
  private let script: String
  private var context: OpaquePointer?
  private var failedToLoad = false
  /// Keys (``key(_:display:)``) of the formulas known to parse: those checked by this
  /// checker, and any it was given (a cache from earlier runs).
  public private(set) var passed: Set<UInt64>

  /// A checker for the text of `katex.min.js`.
  public init(script: String, passed: Set<UInt64> = []) {
    self.script = script
    self.passed = passed
  }

  deinit {
    if let context { duk_destroy_heap(context) }
  }

  /// Identifies the KaTeX a cache of passed formulas belongs to.
  public static func scriptKey(of script: String) -> UInt64 { hash(script) }

  /// A formula's key: a 64-bit FNV-1a hash of its TeX and whether it is displayed.
  public static func key(_ tex: String, display: Bool) -> UInt64 {
    hash((display ? "D" : "I") + tex)
  }

  /// KaTeX's message for a TeX mistake, or `nil` when it parses (or KaTeX cannot run).
  public func error(in tex: String, display: Bool) -> String? {
    let key = Self.key(tex, display: display)
    if passed.contains(key) { return nil }
    guard let context = load() else { return nil }
    _ = duk_get_global_string(context, "__nbrunCheck")
    _ = duk_push_string(context, tex)
    duk_push_boolean(context, display ? 1 : 0)
    var message: String?
    if duk_pcall(context, 2) == 0 {
      let text = String(cString: duk_safe_to_lstring(context, -1, nil))
      message = text.isEmpty ? nil : text
    } else {
      message = String(cString: duk_safe_to_lstring(context, -1, nil))
    }
    duk_pop(context)
    if message == nil { passed.insert(key) }
    return message
  }

  /// The JavaScript heap with KaTeX and the checking function, made once.
  private func load() -> OpaquePointer? {
    if let context { return context }
    guard !failedToLoad, let made = nbrun_duk_create() else { return nil }
    // KaTeX's parser alone (`__parse`, which its own tests use) finds what a render would
    // throw on, four times faster than building the HTML; `renderToString` where a KaTeX
    // lacks it.
    let helper = """
      function __nbrunCheck(tex, display) {
        var options = {displayMode: display, throwOnError: true};
        try {
          if (typeof katex.__parse === "function") { katex.__parse(tex, options); }
          else { katex.renderToString(tex, options); }
          return "";
        }
        catch (e) { return String(e && e.message ? e.message : e); }
      }
      """
    guard nbrun_duk_eval(made, script) == 0, nbrun_duk_eval(made, helper) == 0,
      Self.has(made, "__nbrunCheck", function: true), Self.has(made, "katex", function: false)
    else {
      duk_destroy_heap(made)
      failedToLoad = true
      return nil
    }
    duk_pop(made)
    context = made
    return made
  }

  private static func has(_ context: OpaquePointer, _ name: String, function: Bool) -> Bool {
    _ = duk_get_global_string(context, name)
    defer { duk_pop(context) }
    return function ? duk_is_function(context, -1) != 0 : duk_is_object(context, -1) != 0
  }

  private static func hash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }
}
