"""Opens a handout at 390 px in headless Chromium and reports what a phone reader sees of
formulas: whether a displayed equation's tag overlaps its equation, and whether a formula
cell makes its table wider than the screen.

usage: phone_probe.py CHROMIUM PAGE.html SHOTS_FOLDER
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Chromium

PROBE = """(function(){
  var tags = [].slice.call(document.querySelectorAll('.katex-display .tag'));
  var overlaps = tags.filter(function(t){
    var a = t.getBoundingClientRect();
    return [].slice.call(t.closest('.katex-display').querySelectorAll('.base')).some(function(b){
      var c = b.getBoundingClientRect();
      return a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom;
    });
  }).length;
  var cells = [].slice.call(document.querySelectorAll('td.formula'));
  var wide = cells.filter(function(td){
    var wrap = td.closest('.table-wrap'); return wrap && wrap.scrollWidth > wrap.clientWidth + 1;
  }).length;
  var wrapped = cells.filter(function(td){ return td.getBoundingClientRect().height > 40; }).length;
  return JSON.stringify({tags: tags.length, overlapping: overlaps, formulas: cells.length,
                         scrolling: wide, wrapped: wrapped});
})()"""

chromium, page, shots = sys.argv[1], sys.argv[2], sys.argv[3]
browser = Chromium(chromium, os.path.join(shots, "phone_probe.log"), 390, 800)
try:
    session = browser.open("file://" + os.path.abspath(page), 390, 800)
    browser.wait(session, "document.querySelectorAll('.katex').length > 0")
    time.sleep(0.5)
    print(browser.evaluate(session, PROBE))
except Exception as error:  # noqa: BLE001 - reported to the test
    print(json.dumps({"error": str(error)}))
finally:
    browser.close()
