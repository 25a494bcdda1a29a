// Student scan page (mobile first): sign in, scan the code on the teacher's screen
// (camera), type its 6-digit code, or paste it, and see what became of the scan:
// sending, pending (kept on the phone until it can be sent), accepted (then
// recorded), or rejected with the reason and what to do. And the student's inbox and
// attendance.
//
// The page is small modules around one store (student/): app.js (the controller),
// store.js, check-in-form.js, result-card.js, outbox-bar.js, inbox.js,
// record-watch.js; the outbox's sender is outbox.js.
import { $ } from "./dom.js";
import { startStudentPage } from "./student/app.js";

startStudentPage({ app: $("#app"), account: $("#account") });
