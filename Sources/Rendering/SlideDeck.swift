import Notebook
import Runner

/// The slides: one standalone, offline HTML deck (16:9, 1280×720) from the same run and
/// the same parts as the HTML handout — the same tables, the same SVG figures, math typeset
/// by KaTeX. `#` opens a title slide, `##` and `---` start a new slide; `<!-- notes: … -->`
/// are the speaker's notes; a block with `reveal: rows` shows its table rows one click at
/// a time.
///
/// The deck's behaviour is one small script (``script``) and its look one stylesheet
/// (``stylesheet``), both in the page: keys, touch, the counter, the notes, and the fit —
/// once the page has loaded (fonts and math included), a slide whose content is taller
/// than the slide is scaled down, to no less than ``minimumScale``, and otherwise split
/// into slides titled "(cont.)", a long table by its rows with its header repeated.
public struct SlideDeck {
  public let result: RunResult
  public let name: String
  public let math: MathAssets?
  public let build: Build
  /// Previous/next links and the index, when the notebook is part of a course: shown on
  /// the title slide, linking to the neighbours' handouts.
  public var course: Course.Links?

  /// The smallest scale a slide's content is shown at (26 px text stays 18 px), raised so
  /// that no paragraph, list item, table cell or caption falls below 14 px.
  public static let minimumScale = 0.7

  public init(
    result: RunResult, name: String, math: MathAssets?, build: Build = .handout,
    course: Course.Links? = nil
  ) {
    self.result = result
    self.name = name
    self.math = math
    self.build = build
    self.course = course
  }

  /// One slide as the notebook gives it, before the browser fits it.
  struct Slide {
    var title = false
    var html: [String] = []
    var notes: [String] = []
    var isEmpty: Bool { html.isEmpty && notes.isEmpty }
  }

  /// The notebook's parts grouped into slides.
  static func slides(_ parts: [HTMLHandout.Part], byline: String?) -> [Slide] {
    var slides: [Slide] = []
    var current = Slide()
    var bylineShown = false
    func start(title: Bool = false) {
      if !current.isEmpty { slides.append(current) }
      current = Slide(title: title)
    }
    for part in parts {
      switch part.kind {
      case .heading(let level) where level <= 2:
        start(title: level == 1)
        current.html.append(part.html)
        if level == 1, let byline, !bylineShown {
          current.html.append("<p class=\"byline\">\(byline)</p>\n")
          bylineShown = true
        }
      case .rule:
        start()
      case .notes(let text):
        current.notes.append(text)
      case .heading, .prose, .result:
        // A title slide holds its heading alone; what follows starts a slide of its own.
        if current.title { start() }
        var html = part.html
        if case .result(revealRows: true) = part.kind { html = revealingRows(html) }
        current.html.append(html)
      }
    }
    start()
    return slides
  }

  /// A result's table rows marked to appear one click at a time (the header stays).
  static func revealingRows(_ html: String) -> String {
    html.replacing("\n<tr>", with: "\n<tr class=\"fragment\">")
  }

  public var text: String {
    let handout = HTMLHandout(result: result, name: name, math: math, build: build)
    let walk = HandoutWalk(result: result, name: name, build: build)
    let (parts, toc) = handout.parts(walk)
    let matter = result.document.frontMatter
    let title = handout.title(toc: toc)
    let byline = [matter.author, matter.course, matter.date].compactMap { $0 }.map(escapeHTML)
    var slides = Self.slides(
      parts, byline: byline.isEmpty ? nil : byline.joined(separator: " · "))
    if let course, let first = slides.firstIndex(where: \.title) {
      slides[first].html.append(course.html)
    }
    var page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="nbrun">
      <title>\(escapeHTML(title)) — slides</title>
      <style>\(HTMLHandout.stylesheet)</style>
      <style>\(Self.stylesheet)</style>

      """
    if let math { page += "<style>\(math.stylesheet)</style>\n" }
    page += "</head>\n<body class=\"deck-page\">\n<div class=\"deck\" aria-live=\"polite\">\n"
    for (index, slide) in slides.enumerated() {
      page +=
        "<section class=\"slide\(slide.title ? " title-slide" : "")\" id=\"slide-\(index + 1)\">\n<div class=\"slide-content\">\n"
      page += Blanks.html(slide.html.joined())
      page += "</div>\n"
      if !slide.notes.isEmpty {
        page +=
          "<aside class=\"notes\">"
          + slide.notes.map { "<p>\(escapeHTML($0))</p>" }.joined() + "</aside>\n"
      }
      page += "</section>\n"
    }
    page += """
      </div>
      <div class="counter" aria-hidden="true"></div>
      <div class="notes-panel" hidden></div>

      """
    if let math {
      page += "<script>\(math.script)</script>\n<script>\(math.autoRender)</script>\n"
      page += "<script>\(HTMLHandout.renderMath)</script>\n"
    }
    page += "<script>\(Self.script)</script>\n</body>\n</html>\n"
    return page
  }

  static let stylesheet = """
    html,body.deck-page{margin:0;height:100%;background:#1d1d1f;overflow:hidden}
    .deck{position:absolute;left:50%;top:50%;width:1280px;height:720px;transform-origin:center;transform:translate(-50%,-50%);background:#fff;visibility:hidden}
    .deck.ready{visibility:visible}
    .slide{position:absolute;inset:0;padding:40px 64px 56px;box-sizing:border-box;overflow:hidden;visibility:hidden;font-size:26px;line-height:1.4}
    .slide.current{visibility:visible}
    .slide-content{width:1152px;transform-origin:top left}
    .slide h2{font-size:40px;margin:0 0 20px;border-bottom:2px solid var(--rule)}.slide h3{font-size:30px;margin:16px 0 8px}.slide h4{font-size:27px;margin:12px 0 6px}
    .slide p,.slide ul,.slide ol{margin:0 0 14px}.slide .note{font-size:22px}
    .title-slide .slide-content{display:flex;flex-direction:column;justify-content:center;height:624px}
    .title-slide h1{font-size:56px;margin:0 0 24px;border:0}.title-slide .byline{font-size:28px;color:var(--muted)}
    .title-slide .course-nav{display:flex;gap:32px;margin-top:40px;font:20px system-ui,sans-serif}.title-slide .course-nav a{text-decoration:none}@media print{.title-slide .course-nav{display:none}}
    .slide .table-wrap,.slide .figure-scroll,.slide .katex-display{overflow:visible;background:none}
    .slide table{font-size:22px}.slide .table-caption,.slide figcaption{font-size:19px}
    .slide .figure-scroll{width:auto;left:0;transform:none}.slide figure{margin:10px 0}.slide figure svg{max-height:540px;width:auto;max-width:100%;min-width:0!important}
    .slide pre{font-size:18px;white-space:pre-wrap}.slide section.result{margin:8px 0}
    .slide .fragment{visibility:hidden}.slide .fragment.shown{visibility:visible}
    .slide .page-number{display:none}
    .counter{position:fixed;right:14px;bottom:10px;font:14px system-ui,sans-serif;color:#ccc}
    aside.notes{display:none}
    .notes-panel{position:fixed;left:0;right:0;bottom:0;max-height:35%;overflow:auto;background:#fffbe6;color:#1d1d1f;font:18px/1.45 system-ui,sans-serif;padding:12px 20px;box-shadow:0 -2px 8px #0006}
    .notes-panel[hidden]{display:none}
    @media print{@page{size:1280px 720px;margin:0}html,body.deck-page{height:auto;overflow:visible;background:#fff}
    .deck{position:static;transform:none!important;width:1280px;height:auto;visibility:visible}
    .slide{position:relative;width:1280px;height:720px;visibility:visible;break-after:page;break-inside:avoid}
    .slide .fragment{visibility:visible}.counter,.notes-panel{display:none}
    .slide .page-number{display:block;position:absolute;right:24px;bottom:14px;font:14px system-ui,sans-serif;color:#5f6368}}
    """

  /// The deck's behaviour: fit, navigation (→ ← space, Page Up/Down, Home/End, swipes, a
  /// cross-reference goes to its slide), the counter, the notes panel (N), the slide in
  /// the address (#5).
  static let script = """
    (function(){
    var deck=document.querySelector('.deck'),counter=document.querySelector('.counter'),panel=document.querySelector('.notes-panel');
    var W=1152,H=624,MIN=\(minimumScale),slides=[],index=0;
    function place(content,s){content.style.width=(W/s)+'px';content.style.transform=s<1?'scale('+s+')':'';}
    function fits(content,s){place(content,s);return content.scrollHeight*s<=H+1&&content.scrollWidth<=content.clientWidth+1;}
    function floorOf(content){var m=99;content.querySelectorAll('p,li,td,figcaption').forEach(function(e){var f=parseFloat(getComputedStyle(e).fontSize);if(f&&f<m)m=f;});return m<99?14/m:0;}
    function scaleToFit(content,least){if(least===MIN)least=Math.max(MIN,floorOf(content));for(var s=1;s>=least-1e-9;s-=0.05){if(fits(content,s))return true;}place(content,least);return false;}
    function follower(slide){var next=slide.cloneNode(false),content=document.createElement('div');content.className='slide-content';next.appendChild(content);next.removeAttribute('id');
    var heading=slide.querySelector('.slide-content>h2');if(heading){var h=heading.cloneNode(true);h.removeAttribute('id');if(!/\\(cont\\.\\)$/.test(h.textContent))h.appendChild(document.createTextNode(' (cont.)'));content.appendChild(h);}
    slide.parentNode.insertBefore(next,slide.nextSibling);return next;}
    function movable(content){var kids=[].slice.call(content.children);return kids.filter(function(k){return k.tagName!=='H2';});}
    function splitRows(child,next){var tables=child.querySelectorAll('table');if(!tables.length)return false;var table=tables[tables.length-1],rows=table.tBodies[0]?table.tBodies[0].rows:[];if(rows.length<2)return false;
    var copy=child.cloneNode(true);copy.removeAttribute('id');[].forEach.call(copy.querySelectorAll('[id]'),function(e){e.removeAttribute('id');});
    var ctables=copy.querySelectorAll('table'),ctable=ctables[ctables.length-1],crows=ctable.tBodies[0].rows;
    var keep=Math.ceil(rows.length/2);var content=child.parentNode;
    while(rows.length>1){var n=rows.length;table.tBodies[0].removeChild(rows[n-1]);if(fits(content,1))break;}
    keep=rows.length;for(var i=0;i<keep;i++)ctable.tBodies[0].removeChild(ctable.tBodies[0].rows[0]);
    next.querySelector('.slide-content').appendChild(copy);return true;}
    function explode(content){[].slice.call(content.querySelectorAll(':scope>section.result')).forEach(function(section){var kids=[].slice.call(section.children);if(kids.length<2)return;
    var groups=[],group=[];kids.forEach(function(k){group.push(k);if(!/^(PRE|P)$/.test(k.tagName)||k.classList.contains('note')){groups.push(group);group=[];}});if(group.length)groups.push(group);if(groups.length<2)return;
    groups.forEach(function(g,n){var part=n===0?section:section.cloneNode(false);if(n>0)part.removeAttribute('id');g.forEach(function(k){part.appendChild(k);});if(n>0)content.insertBefore(part,groups[n-1][0].parentNode.nextSibling);});});}
    function fit(slide){var content=slide.querySelector('.slide-content');if(slide.classList.contains('title-slide')){scaleToFit(content,MIN);return;}
    if(fits(content,1))return;
    explode(content);
    var kids=movable(content);
    if(kids.length>1){var next=follower(slide),target=next.querySelector('.slide-content');
    while(kids.length>1&&!fits(content,1)){var last=kids.pop();target.insertBefore(last,target.children.length&&target.firstChild.tagName==='H2'?target.firstChild.nextSibling:target.firstChild);}
    if(scaleToFit(content,MIN))return;}
    if(scaleToFit(content,MIN))return;
    if(kids.length===1){place(content,1);var after=follower(slide);if(splitRows(kids[0],after)){scaleToFit(content,MIN);return;}after.parentNode.removeChild(after);}
    scaleToFit(content,0.4);}
    function show(i,fromEnd){index=Math.max(0,Math.min(slides.length-1,i));slides.forEach(function(s,k){s.classList.toggle('current',k===index);});
    var frags=slides[index].querySelectorAll('.fragment');[].forEach.call(frags,function(f){f.classList.toggle('shown',!!fromEnd);});
    counter.textContent=(index+1)+' / '+slides.length;if(history.replaceState)history.replaceState(null,'','#'+(index+1));notes();}
    function next(){var hidden=slides[index].querySelector('.fragment:not(.shown)');if(hidden){hidden.classList.add('shown');return;}if(index<slides.length-1)show(index+1,false);}
    function prev(){var shown=slides[index].querySelectorAll('.fragment.shown');if(shown.length){shown[shown.length-1].classList.remove('shown');return;}if(index>0)show(index-1,true);}
    function notes(){if(panel.hidden)return;var aside=slides[index].querySelector('aside.notes'),after=slides[index+1];var h=after&&after.querySelector('h1,h2');
    panel.innerHTML='<strong>Notes</strong> '+(aside?aside.innerHTML:'<em>none for this slide</em>')+'<br><small>Next: '+(h?h.textContent:after?'slide '+(index+2):'end of the deck')+'</small>';}
    function resize(){var k=Math.min(innerWidth/1280,innerHeight/720);deck.style.transform='translate(-50%,-50%) scale('+k+')';}
    function layout(at){var all=[].slice.call(deck.querySelectorAll('.slide'));for(var i=0;i<all.length;i++){fit(all[i]);all=[].slice.call(deck.querySelectorAll('.slide'));}
    slides=all;slides.forEach(function(s,k){s.id='slide-'+(k+1);var n=s.querySelector(':scope>.page-number');if(!n){n=document.createElement('div');n.className='page-number';s.appendChild(n);}n.textContent=(k+1)+' / '+slides.length;});
    resize();show(Math.min(at,slides.length-1),false);deck.classList.add('ready');document.body.setAttribute('data-slides',slides.length);}
    addEventListener('resize',resize);
    addEventListener('keydown',function(e){if(e.altKey||e.ctrlKey||e.metaKey)return;var k=e.key;
    if(k==='ArrowRight'||k===' '||k==='PageDown'||k==='ArrowDown'){next();e.preventDefault();}
    else if(k==='ArrowLeft'||k==='PageUp'||k==='ArrowUp'||k==='Backspace'){prev();e.preventDefault();}
    else if(k==='Home'){show(0,false);e.preventDefault();}else if(k==='End'){show(slides.length-1,true);e.preventDefault();}
    else if(k==='n'||k==='N'){panel.hidden=!panel.hidden;notes();}});
    deck.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest('a[href^="#"]');if(!a)return;var target=document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));var slide=target&&target.closest('.slide');if(slide){e.preventDefault();show(slides.indexOf(slide),true);}});
    var touchX=null;addEventListener('touchstart',function(e){touchX=e.touches[0].clientX;},{passive:true});
    addEventListener('touchend',function(e){if(touchX===null)return;var dx=e.changedTouches[0].clientX-touchX;touchX=null;if(dx<-40)next();else if(dx>40)prev();});
    // Laid out at once (a page printed on load is already fitted), and again once the
    // fonts have loaded, should they have made a slide taller.
    var wanted=parseInt((location.hash||'').slice(1),10);layout(wanted>0?wanted-1:0);
    if(document.fonts&&document.fonts.ready)document.fonts.ready.then(function(){layout(index);});
    })();
    """
}
