#!/usr/bin/env python3
"""Walks an nbrun slide deck in headless Chromium with the arrow key.

    deck_probe.py CHROMIUM DECK.html SHOTS

Opens the deck in a 1280×720 window, then presses → until the last slide, and ← once.
At every step it records the slide shown, whether anything on it lies outside the
slide's 1280×720 box, whether TeX shows raw, and how many rows of a revealed table
show. Prints one JSON object; the Swift test asserts on it. Screenshots of the first
slides with a table, a figure and a build-up go to SHOTS. Standard library only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Chromium  # noqa: E402

chromium, deck, shots = sys.argv[1:4]
browser = Chromium(chromium, os.path.join(shots, "chromium-deck.log"), 1280, 720)

STATE = r"""(function(){
  var slide = document.querySelector('.slide.current');
  if (!slide) return null;
  var box = slide.getBoundingClientRect(), worst = 0, culprit = '';
  slide.querySelectorAll('.slide-content *').forEach(function(e){
    if (e.closest('.katex-mathml')) return;
    var r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    var out = Math.max(r.bottom - box.bottom, r.right - box.right, box.left - r.left, box.top - r.top);
    if (out > worst) { worst = out; culprit = e.tagName + '.' + e.className; }
  });
  var text = slide.innerText;
  var smallest = 99, k = document.querySelector('.deck').getBoundingClientRect().width / 1280;
  slide.querySelectorAll('.slide-content p, .slide-content li, .slide-content td, .slide-content figcaption').forEach(function(e){
    var r = e.getBoundingClientRect(); if (r.height === 0) return;
    var px = parseFloat(getComputedStyle(e).fontSize) * (r.height / e.offsetHeight || 1) / k;
    if (px < smallest) smallest = px;
  });
  return JSON.stringify({
    counter: document.querySelector('.counter').textContent,
    id: slide.id,
    heading: (slide.querySelector('h1,h2') || {textContent: ''}).textContent,
    overflow: Math.round(worst), culprit: culprit,
    rawTeX: /\\\(|\\\[|\$\$/.test(text),
    katex: slide.querySelectorAll('.katex').length,
    tables: slide.querySelectorAll('table').length,
    figures: slide.querySelectorAll('figure svg').length,
    fragments: slide.querySelectorAll('.fragment').length,
    shownFragments: slide.querySelectorAll('.fragment.shown').length,
    smallestText: Math.round(smallest * 10) / 10,
    text: text.slice(0, 80)
  });
})()"""

report = {"steps": []}
try:
    session = browser.open("file://" + os.path.abspath(deck), 1280, 720)
    report["slides"] = int(browser.wait(session, "document.querySelector('.deck.ready') && document.body.getAttribute('data-slides')") or 0)
    shots_taken = set()
    for step in range(4000):
        state = json.loads(browser.evaluate(session, STATE))
        report["steps"].append(state)
        for kind in ("tables", "figures", "fragments"):
            if state[kind] and kind not in shots_taken and (kind != "fragments" or state["shownFragments"]):
                shots_taken.add(kind)
                browser.shoot(session, os.path.join(shots, f"deck-{kind}.png"))
        if step == 0:
            browser.shoot(session, os.path.join(shots, "deck-title.png"))
        if state["counter"].split(" / ")[0] == str(report["slides"]) and state["shownFragments"] == state["fragments"]:
            break
        browser.key(session, "ArrowRight", "ArrowRight", 39)
    browser.key(session, "ArrowLeft", "ArrowLeft", 37)
    report["back"] = json.loads(browser.evaluate(session, STATE))
    browser.key(session, "Home", "Home", 36)
    report["home"] = json.loads(browser.evaluate(session, STATE))
    report["duplicateIds"] = browser.evaluate(session, "(function(){var seen={},twice=[];document.querySelectorAll('[id]').forEach(function(e){if(seen[e.id])twice.push(e.id);seen[e.id]=1;});return twice;})()")
except (SystemExit, Exception) as error:  # reported, so the test says what went wrong
    report["error"] = f"{type(error).__name__}: {error}"
finally:
    browser.close()
print(json.dumps(report))
