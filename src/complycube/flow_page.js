/* kyc-sandbox hosted Flow page: turns the server-rendered form into steps.
 *
 * Dependency-free, like the console. Without this script the page is one
 * long form that works the same; with it, one step shows at a time (Back /
 * Next, the step list marks where the tester is), a chosen file is checked
 * against the API's image rules before it is sent and previewed in place of
 * the sample, and the back side follows the document type. Nothing here
 * parses markup: names and sizes are set as text.
 */
(() => {
  "use strict";

  const form = document.getElementById("flow-form");
  if (!form) return;
  const steps = Array.from(form.querySelectorAll("fieldset.step"));
  const marks = Array.from(document.querySelectorAll("#flow-steps li"));
  const back = document.getElementById("flow-back");
  const next = document.getElementById("flow-next");
  const done = document.getElementById("flow-complete");
  const urls = [];
  let at = 0;

  document.body.classList.add("stepped");

  function show(i, focus) {
    at = Math.max(0, Math.min(i, steps.length - 1));
    steps.forEach((s, j) => { s.hidden = j !== at; });
    marks.forEach((m, j) => {
      if (j === at) m.setAttribute("aria-current", "step");
      else m.removeAttribute("aria-current");
      m.classList.toggle("done", j < at);
    });
    back.hidden = at === 0;
    next.hidden = at === steps.length - 1;
    done.hidden = at !== steps.length - 1;
    if (focus) {
      const legend = steps[at].querySelector("legend");
      steps[at].setAttribute("tabindex", "-1");
      steps[at].focus();
      if (legend) legend.scrollIntoView({ block: "nearest" });
    }
  }

  /** Every field of the current step is valid (and says why when not). */
  function valid() {
    for (const el of steps[at].querySelectorAll("input, select")) {
      if (el.disabled) continue;
      if (!el.checkValidity()) {
        el.reportValidity();
        return false;
      }
    }
    return true;
  }

  back.addEventListener("click", () => show(at - 1, true));
  next.addEventListener("click", () => { if (valid()) show(at + 1, true); });

  /* The back side only for two-sided documents. */
  const type = document.getElementById("documentType");
  const backSide = document.getElementById("back-side");
  function sides() {
    if (!type || !backSide) return;
    const opt = type.options[type.selectedIndex];
    const two = opt && opt.dataset.sides === "2";
    backSide.hidden = !two;
    const input = backSide.querySelector("input[type=file]");
    if (input) input.disabled = !two;
  }
  if (type) type.addEventListener("change", sides);
  sides();

  /* Chosen files: the API's rules, then a preview instead of the sample. */
  const EXT = { front: /\.(jpe?g|png|pdf)$/i, back: /\.(jpe?g|png|pdf)$/i, livePhoto: /\.(jpe?g|png)$/i };

  function kb(n) { return `${Math.round(n / 1024)} KB`; }

  function problem(input, file) {
    const min = Number(input.dataset.min || 0);
    const max = Number(input.dataset.max || 0);
    const ext = EXT[input.name];
    if (ext && !ext.test(file.name)) {
      return input.name === "livePhoto"
        ? "Choose a JPG or PNG image."
        : "Choose a JPG, PNG or PDF file (.jpg, .jpeg, .png, .pdf).";
    }
    if (min && file.size < min) return `This file is ${kb(file.size)}; images must be at least 34 KB.`;
    if (max && file.size > max) return `This file is ${kb(file.size)}; images must be at most 4 MB.`;
    return "";
  }

  for (const input of form.querySelectorAll("input[type=file]")) {
    const error = document.getElementById(`${input.id}-error`);
    const img = document.getElementById(`${input.id}-preview`);
    const caption = document.getElementById(`${input.id}-caption`);
    const sample = img ? img.getAttribute("src") : null;
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      const why = file ? problem(input, file) : "";
      input.setCustomValidity(why);
      if (error) {
        error.textContent = why;
        error.hidden = !why;
      }
      if (!img || !caption) return;
      if (file && !why && /^image\//.test(file.type)) {
        const u = URL.createObjectURL(file);
        urls.push(u);
        img.src = u;
        caption.textContent = `Your file: ${file.name} (${kb(file.size)})`;
      } else if (file && !why) {
        img.src = sample;
        caption.textContent = `Your file: ${file.name} (${kb(file.size)}, no preview)`;
      } else {
        img.src = sample;
        caption.textContent = "The sandbox's sample";
      }
    });
  }

  /* Sending: one click, and a sign that something is happening. */
  form.addEventListener("submit", () => {
    done.disabled = true;
    done.textContent = "Completing…";
  });
  window.addEventListener("pageshow", () => {
    done.disabled = false;
    done.textContent = "Complete verification";
  });
  window.addEventListener("pagehide", () => urls.forEach((u) => URL.revokeObjectURL(u)));

  show(0, false);
})();
