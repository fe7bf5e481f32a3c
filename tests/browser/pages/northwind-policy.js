// The privacy policy of a single-page app, rendered by script (late-policy.html, spa.html).
const NORTHWIND_POLICY = [
  ["h1", "Privacy Policy"],
  ["p", "This Privacy Policy describes how Northwind Maps collects, uses and shares your personal information."],
  ["p", "We collect your precise location from GPS and Wi-Fi when the app is open and in the background."],
  ["p", "Northwind Maps is made by a small team in Leeds. We may sell your personal information to third parties, including data brokers and advertisers."],
  ["p", "We use cookies and tracking pixels to show you personalized ads across other websites."],
  ["p", "You can request access to your personal data or ask us to delete it by contacting us."],
  ["p", "We retain your personal information for as long as necessary, even after you delete your account."],
];

function renderNorthwindPolicy(container) {
  container.replaceChildren(
    ...NORTHWIND_POLICY.map(([tag, text]) => Object.assign(document.createElement(tag), { textContent: text })));
  document.title = "Privacy Policy – Northwind Maps";
}
