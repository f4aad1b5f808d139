"""Content-Security-Policy violations seen by the browser, for every browser test.

``CspWatcher(page)`` records what Chromium refuses under our policy: its console
errors ("Refused to … because it violates the following Content Security Policy
directive") and each ``securitypolicyviolation`` DOM event. The ``page`` fixture
attaches one to every page and fails the test on any violation, so a new page
(the salesperson's and manager's start pages) is checked as soon as a browser
test opens it; ``watcher.assert_none()`` checks mid-test.
"""

# Runs in every document before its own scripts (injected by the DevTools
# protocol, so the policy itself does not block it).
REPORTER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
    + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
"""


class CspWatcher:
    def __init__(self, page):
        self.violations: list[str] = []
        page.context.add_init_script(REPORTER)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.violations.append(f"{message.page.url if message.page else ''}: {text}")

    def assert_none(self):
        assert not self.violations, "Content-Security-Policy violations:\n" + "\n".join(self.violations)
