#!/usr/bin/env python3
"""Follows a course site's links in headless Chromium, and checks a page's references.

    site_probe.py CHROMIUM INDEX.html REFS.html SHOTS

From the index it opens the first notebook's page, then clicks "next" (a[rel=next]) to
the end, "previous" once, and "Course index" back; on REFS.html it checks that every
cross-reference link lands on an element and that KaTeX numbered the equations. Prints
one JSON object; the Swift test asserts on it. Standard library only.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Chromium  # noqa: E402

chromium, index, refs, shots = sys.argv[1:5]
browser = Chromium(chromium, os.path.join(shots, "chromium-site.log"))
report = {}


def loaded(session, previous):
    return browser.wait(session, f"location.href !== {json.dumps(previous)} && document.readyState === 'complete' && location.href")


def click(session, selector):
    before = browser.wait(session, "document.readyState === 'complete' && location.href")
    if not browser.evaluate(session, f"!!document.querySelector({json.dumps(selector)})"):
        return None
    browser.evaluate(session, f"document.querySelector({json.dumps(selector)}).click(); true")
    return loaded(session, before)


try:
    session = browser.open("file://" + os.path.abspath(index), 1280, 900)
    browser.wait(session, "document.readyState === 'complete'")
    report["entries"] = browser.evaluate(session, "[...document.querySelectorAll('.entry-title')].map(a => a.getAttribute('href'))")
    browser.shoot(session, os.path.join(shots, "site-index.png"))
    pages = []
    url = click(session, ".entry-title")
    while url:
        pages.append(url.rsplit("/", 1)[-1])
        url = click(session, "a[rel=next]")
        if len(pages) > 50:
            break
    report["visited"] = pages
    url = click(session, "a[rel=prev]")
    report["back"] = url.rsplit("/", 1)[-1] if url else None
    url = click(session, 'a[href="index.html"]')
    report["index"] = url.rsplit("/", 1)[-1] if url else None

    session = browser.open("file://" + os.path.abspath(refs), 1280, 900)
    browser.wait(session, "document.readyState === 'complete' && document.querySelectorAll('.katex').length > 0")
    time.sleep(0.3)
    report["refs"] = json.loads(browser.evaluate(session, r"""JSON.stringify({
      links: [...document.querySelectorAll('a.xref')].map(a => ({text: a.textContent,
        lands: !!document.getElementById(a.getAttribute('href').slice(1))})),
      tags: [...document.querySelectorAll('.katex-display .tag')].map(t => t.textContent),
      rawTeX: /\\\(|\\\[|\$\$|\{#eq-/.test(document.querySelector('main').innerText)
    })"""))
    browser.shoot(session, os.path.join(shots, "site-refs.png"))
except (SystemExit, Exception) as error:  # reported, so the test says what went wrong
    report["error"] = f"{type(error).__name__}: {error}"
finally:
    browser.close()
print(json.dumps(report))
