internal import CDuktape

/// KaTeX, run by duktape (an embeddable JavaScript engine), parsing TeX at build time: a
/// mistake in a notebook's math comes back as KaTeX's own message ("Undefined control
/// sequence: \fracc at position 1"), so nbrun reports it with the notebook's line and
/// column instead of a reader finding red text in the page. The only file that calls
/// duktape; the JavaScript heap is freed with the checker.
public final class KaTeXChecker {
  private let context: OpaquePointer
  private var checked: [String: String?] = [:]

  /// A checker from the text of `katex.min.js`; `nil` when it does not load.
  public init?(script: String) {
    guard let context = nbrun_duk_create() else { return nil }
    self.context = context
    let helper = """
      function __nbrunCheck(tex, display) {
        try { katex.renderToString(tex, {displayMode: display, throwOnError: true}); return ""; }
        catch (e) { return String(e && e.message ? e.message : e); }
      }
      """
    guard nbrun_duk_eval(context, script) == 0, nbrun_duk_eval(context, helper) == 0,
      Self.isFunction(context, "__nbrunCheck"), Self.isObject(context, "katex")
    else {
      duk_destroy_heap(context)
      return nil
    }
    duk_pop(context)
  }

  deinit { duk_destroy_heap(context) }

  /// KaTeX's message for a TeX mistake, or `nil` when it parses. Results are kept, so a
  /// formula repeated across a notebook is parsed once.
  public func error(in tex: String, display: Bool) -> String? {
    let key = (display ? "D" : "I") + tex
    if let known = checked[key] { return known }
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
    checked[key] = message
    return message
  }

  private static func isFunction(_ context: OpaquePointer, _ name: String) -> Bool {
    _ = duk_get_global_string(context, name)
    defer { duk_pop(context) }
    return duk_is_function(context, -1) != 0
  }

  private static func isObject(_ context: OpaquePointer, _ name: String) -> Bool {
    _ = duk_get_global_string(context, name)
    defer { duk_pop(context) }
    return duk_is_object(context, -1) != 0
  }
}
