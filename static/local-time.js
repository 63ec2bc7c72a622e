// Adds the visitor's own time to a meeting time when their zone differs from the meeting's.
// The page reads fine without it: the server writes the time in the meeting's zone.
document.querySelectorAll("time[data-local]").forEach(function (el) {
  var stamp = el.getAttribute("datetime");
  var when = new Date(stamp);
  var offset = /([+-])(\d\d):(\d\d)$/.exec(stamp);
  if (isNaN(when) || !offset) return;
  var meetingMinutes = (offset[1] === "-" ? -1 : 1) * (60 * +offset[2] + +offset[3]);
  if (meetingMinutes === -when.getTimezoneOffset()) return;  // the same clock: say it once
  var local = when.toLocaleString(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  el.textContent = local + " your time (" + el.textContent + " in the meeting's time zone)";
});
