// A new report's form: choosing another plan shows that plan's measures at once, by pressing
// the form's "Show this plan's measures" button (which does the same without JavaScript). The
// input typed so far is kept; nothing is saved.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".js-show-plan-measures");
  const plan = document.getElementById("id_plan");
  if (button && plan) {
    plan.addEventListener("change", () => button.click());
  }
});
