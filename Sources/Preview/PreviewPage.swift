import Rendering

/// What the preview adds to a handout page: a banner of messages, and the script that
/// follows new versions.
enum PreviewPage {
  /// The located messages of the last render, or nothing when it was clean.
  static func banner(_ messages: [String]) -> String {
    guard !messages.isEmpty else { return "" }
    let text = messages.map(escapeHTML).joined(separator: "\n\n")
    return """
      <div id="nbrun-preview-errors" role="alert" style="position:sticky;top:0;z-index:10;margin:0;padding:0.75rem 1rem;background:#fff4f4;border-bottom:2px solid #b00020;color:#5c0011;font:14px/1.4 ui-monospace,monospace;max-height:40vh;overflow:auto">
      <strong style="font-family:system-ui,sans-serif">The notebook has errors; the page shows the last good render.</strong>
      <pre style="white-space:pre-wrap;margin:0.5rem 0 0">\(text)</pre></div>

      """
  }

  /// The handout with the banner at the top of its body and the script at the end.
  static func inject(into page: String, banner: String, version: Int) -> String {
    var page = page
    if let open = page.range(of: "<body"), let end = page[open.upperBound...].firstIndex(of: ">") {
      let after = page.index(after: end)
      page.insert(contentsOf: "\n" + banner, at: after)
      page.insert(contentsOf: " data-nbrun-version=\"\(version)\"", at: end)
    }
    let script = "<script>\(client)</script>\n"
    if let close = page.range(of: "</body>", options: .backwards) {
      page.insert(contentsOf: script, at: close.lowerBound)
    } else {
      page += script
    }
    return page
  }

  /// The page before the notebook has rendered once: the messages, and the script.
  static func waiting(banner: String, version: Int) -> String {
    """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>nbrun preview</title>
    <meta name="viewport" content="width=device-width, initial-scale=1"></head>
    <body data-nbrun-version="\(version)">
    \(banner)<p style="font-family:system-ui,sans-serif;padding:1rem">Waiting for the notebook to render without errors…</p>
    <script>\(client)</script>
    </body></html>

    """
  }

  /// Follows the server's versions over a WebSocket (reconnecting if it drops). On a new
  /// version it fetches the page, swaps the body in place (scripts in it stay inert),
  /// typesets the math again and restores the scroll position: no reload.
  static let client = """
    (function () {
      var shown = parseInt(document.body.getAttribute("data-nbrun-version") || "0", 10);
      var swaps = 0;
      function typeset() {
        if (window.renderMathInElement) { \(HTMLHandout.renderMath) }
      }
      function swap(version) {
        fetch("/?v=" + version, {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (text) {
          var fresh = new DOMParser().parseFromString(text, "text/html");
          var x = window.scrollX, y = window.scrollY;
          var got = parseInt(fresh.body.getAttribute("data-nbrun-version") || "0", 10);
          if (got <= shown) return;
          document.title = fresh.title;
          document.body.replaceWith(document.adoptNode(fresh.body));
          shown = got;
          swaps += 1;
          document.documentElement.setAttribute("data-nbrun-swaps", String(swaps));
          typeset();
          window.scrollTo(x, y);
        });
      }
      function connect() {
        var socket = new WebSocket("ws://" + location.host + "/socket");
        socket.onmessage = function (event) {
          var version = parseInt(event.data, 10);
          if (version > shown) swap(version);
        };
        socket.onclose = function () { setTimeout(connect, 500); };
      }
      connect();
    })();
    """
}
