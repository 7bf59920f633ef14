//! The hosted Flow page's markup: the form a tester walks through, the
//! page of a session that is no longer open, and problems. Written on the
//! server with the console's stylesheet and escaping; every value from a
//! session or a client is escaped. The script (`flow_page.js`) only turns
//! the one long form into steps and previews chosen files: without it the
//! form still works.

use crate::console::BASE;
use crate::console::html::escape;

/// What every page of a session shows.
pub(crate) struct Shown {
    /// `light` or `dark`.
    pub(crate) theme: String,
    /// The session's `language` (the page's `lang`; its text is English).
    pub(crate) language: String,
}

/// The open session's form.
pub(crate) struct Form<'a> {
    pub(crate) id: &'a str,
    pub(crate) token: &'a str,
    pub(crate) client_name: &'a str,
    pub(crate) checks: Vec<&'static str>,
    pub(crate) workflow: bool,
    pub(crate) document: bool,
    pub(crate) live_photo: bool,
    pub(crate) live_video: bool,
    /// The address step, prefilled (the client's latest address or the sample).
    pub(crate) address: Option<super::capture::NewAddress>,
    pub(crate) document_types: Vec<&'static str>,
    pub(crate) issuing_country: String,
    pub(crate) allow_upload: bool,
    pub(crate) support_email: Option<&'a str>,
    pub(crate) expires_at: String,
    /// The smallest and largest image accepted (`None`: any size).
    pub(crate) image_bytes: Option<(usize, usize)>,
    pub(crate) shown: &'a Shown,
}

/// A session that is completed, cancelled or expired.
pub(crate) struct Closed<'a> {
    pub(crate) state: &'a str,
    pub(crate) finished_at: Option<String>,
    pub(crate) expires_at: String,
    pub(crate) success_url: &'a str,
    pub(crate) cancel_url: &'a str,
    pub(crate) shown: &'a Shown,
}

/// Something the page could not do.
pub(crate) struct Problem<'a> {
    pub(crate) title: &'a str,
    pub(crate) text: &'a str,
    pub(crate) detail: Option<&'a str>,
    /// Offer a link back to the session's page.
    pub(crate) back: bool,
    pub(crate) id: &'a str,
}

/// `2026-01-02 03:04:05 UTC` from an ISO-8601 timestamp.
fn human(iso: &str) -> String {
    let seconds = iso.split('.').next().unwrap_or(iso).trim_end_matches('Z');
    format!("{} UTC", seconds.replace('T', " "))
}

fn document_label(kind: &str) -> &'static str {
    match kind {
        "passport" => "Passport",
        "driving_license" => "Driving licence",
        "national_identity_card" => "National identity card",
        "residence_permit" => "Residence permit",
        _ => "Document",
    }
}

/// The page around `main`: head, stylesheet, optional script, header.
fn frame(title: &str, shown: Option<&Shown>, script: bool, main: &str) -> String {
    let (theme, lang) = shown.map_or(("light", "en"), |s| (s.theme.as_str(), s.language.as_str()));
    let script = if script {
        format!("<script src=\"{BASE}/assets/complycube-flow.js\" defer></script>\n")
    } else {
        String::new()
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · identity verification</title>\n\
         <link rel=\"icon\" href=\"{BASE}/assets/favicon.svg\" type=\"image/svg+xml\">\n\
         <link rel=\"stylesheet\" href=\"{BASE}/assets/console.css\">\n{script}</head>\n\
         <body class=\"flow\" data-theme=\"{theme}\">\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
         <header class=\"top\"><span class=\"brand\">kyc-sandbox <span>hosted Flow</span></span>\
         <p class=\"flow-note\">A sandbox page: nothing here is a real verification.</p></header>\n\
         <main id=\"main\" class=\"flow-main\" tabindex=\"-1\">\n{main}</main>\n</body>\n</html>\n",
        lang = escape(lang),
        theme = escape(theme),
        title = escape(title),
    )
}

/// One image to provide: the sample shown, and a file input when uploads
/// are allowed.
fn image_field(f: &Form<'_>, name: &str, role: &str, what: &str, accept: &str) -> String {
    let id = escape(f.id);
    let mut out = format!(
        "<figure class=\"thumb\"><img id=\"{name}-preview\" src=\"/__admin/flow/{id}/samples/{role}\" \
         alt=\"{what}\"><figcaption id=\"{name}-caption\">The sandbox's sample</figcaption></figure>\n"
    );
    let document = name != "livePhoto";
    if document && !f.allow_upload {
        return out;
    }
    let (limits, rule) = match f.image_bytes {
        Some((min, max)) => (
            format!(" data-min=\"{min}\" data-max=\"{max}\""),
            ", 34 KB to 4 MB",
        ),
        None => (String::new(), ""),
    };
    let kinds = if document {
        "JPG, PNG or PDF"
    } else {
        "JPG or PNG"
    };
    out.push_str(&format!(
        "<label for=\"{name}\">Or upload your own ({kinds}{rule})</label>\n\
         <input type=\"file\" id=\"{name}\" name=\"{name}\" accept=\"{accept}\"{limits} \
         aria-describedby=\"{name}-error\">\n\
         <p class=\"error\" id=\"{name}-error\" role=\"alert\" hidden></p>\n"
    ));
    out
}

/// The open session's page.
pub(crate) fn form(f: &Form<'_>) -> String {
    let id = escape(f.id);
    let mut steps: Vec<(&str, &str)> = vec![("consent", "Consent")];
    if f.document {
        steps.push(("document", "Document"));
    }
    if f.live_photo {
        steps.push(("selfie", "Selfie"));
    }
    if f.live_video {
        steps.push(("video", "Video"));
    }
    if f.address.is_some() {
        steps.push(("address", "Address"));
    }
    steps.push(("finish", "Finish"));
    let checks = f.checks.join(", ");
    let mut m = format!(
        "<h1>Verify your identity</h1>\n\
         <p class=\"muted\">For <strong id=\"flow-client\">{}</strong> · {} · open until {}</p>\n\
         <ol class=\"flow-steps\" id=\"flow-steps\" aria-label=\"Steps\">\n",
        escape(f.client_name),
        if f.workflow {
            format!("a workflow running {}", escape(&checks))
        } else {
            escape(&checks)
        },
        escape(&human(&f.expires_at)),
    );
    for (key, label) in &steps {
        m.push_str(&format!("<li data-step=\"{key}\">{label}</li>\n"));
    }
    m.push_str(&format!(
        "</ol>\n<form id=\"flow-form\" class=\"flow-form\" method=\"post\" \
         action=\"/__admin/flow/{id}/complete\" enctype=\"multipart/form-data\">\n\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
         <fieldset class=\"step card\" id=\"step-consent\" data-step=\"consent\">\
         <legend>Consent</legend>\n\
         <p>To finish signing up, the app needs to verify your identity. What you provide here \
         is stored by the sandbox as the app's ComplyCube account would store it.</p>\n\
         <label class=\"check-field\"><input type=\"checkbox\" id=\"consent\" name=\"consent\" \
         value=\"yes\" required> I agree to have my identity verified</label>\n</fieldset>\n",
        token = escape(f.token),
    ));
    if f.document {
        m.push_str(
            "<fieldset class=\"step card\" id=\"step-document\" data-step=\"document\">\
             <legend>Identity document</legend>\n<div class=\"flow-fields\">\n\
             <div class=\"field\"><label for=\"documentType\">Document type</label>\
             <select id=\"documentType\" name=\"documentType\">\n",
        );
        for (i, t) in f.document_types.iter().enumerate() {
            m.push_str(&format!(
                "<option value=\"{t}\" data-sides=\"{}\"{}>{}</option>\n",
                if super::capture::two_sided(t) { 2 } else { 1 },
                if i == 0 { " selected" } else { "" },
                document_label(t)
            ));
        }
        m.push_str(&format!(
            "</select></div>\n<div class=\"field\"><label for=\"issuingCountry\">Issuing country \
             (two letters)</label><input id=\"issuingCountry\" name=\"issuingCountry\" value=\"{}\" \
             maxlength=\"2\" size=\"4\" pattern=\"[A-Za-z]{{2}}\" required></div>\n</div>\n\
             <div class=\"flow-sides\">\n<div class=\"flow-side\" data-side=\"front\"><h3>Front</h3>\n",
            escape(&f.issuing_country)
        ));
        m.push_str(&image_field(
            f,
            "front",
            "front",
            "Front of the document",
            ".jpg,.jpeg,.png,.pdf",
        ));
        m.push_str(
            "</div>\n<div class=\"flow-side\" data-side=\"back\" id=\"back-side\">\
             <h3>Back <span class=\"muted\">(not used for a passport)</span></h3>\n",
        );
        m.push_str(&image_field(
            f,
            "back",
            "back",
            "Back of the document",
            ".jpg,.jpeg,.png,.pdf",
        ));
        m.push_str("</div>\n</div>\n");
        if !f.allow_upload {
            m.push_str(
                "<p class=\"note\">This session does not allow uploading document files \
                 (<code>allowDocumentUpload: false</code>): the sandbox's sample capture is used.</p>\n",
            );
        }
        m.push_str("</fieldset>\n");
    }
    if f.live_photo {
        m.push_str(
            "<fieldset class=\"step card\" id=\"step-selfie\" data-step=\"selfie\">\
             <legend>Selfie</legend>\n<div class=\"flow-side\">\n",
        );
        m.push_str(&image_field(
            f,
            "livePhoto",
            "live-photo",
            "Selfie",
            ".jpg,.jpeg,.png,image/jpeg,image/png",
        ));
        m.push_str("</div>\n</fieldset>\n");
    }
    if f.live_video {
        m.push_str(
            "<fieldset class=\"step card\" id=\"step-video\" data-step=\"video\">\
             <legend>Live video</legend>\n<p>The sandbox records a sample live video for you, \
             with the usual challenges (turn your head, say the digits shown).</p>\n</fieldset>\n",
        );
    }
    if let Some(a) = &f.address {
        m.push_str(&format!(
            "<fieldset class=\"step card\" id=\"step-address\" data-step=\"address\">\
             <legend>Your address</legend>\n<p class=\"muted\">Where you live, as the proof of \
             address check reads it. A changed address is stored as a new address.</p>\n\
             <div class=\"flow-fields\">\n\
             <div class=\"field\"><label for=\"addressLine\">Street and number</label>\
             <input id=\"addressLine\" name=\"addressLine\" value=\"{}\" maxlength=\"255\" \
             autocomplete=\"address-line1\" required></div>\n\
             <div class=\"field\"><label for=\"addressCity\">City</label>\
             <input id=\"addressCity\" name=\"addressCity\" value=\"{}\" maxlength=\"255\" \
             autocomplete=\"address-level2\" required></div>\n\
             <div class=\"field\"><label for=\"addressPostalCode\">Postal code</label>\
             <input id=\"addressPostalCode\" name=\"addressPostalCode\" value=\"{}\" \
             maxlength=\"32\" size=\"10\" autocomplete=\"postal-code\"></div>\n\
             <div class=\"field\"><label for=\"addressCountry\">Country (two letters)</label>\
             <input id=\"addressCountry\" name=\"addressCountry\" value=\"{}\" maxlength=\"2\" \
             size=\"4\" pattern=\"[A-Za-z]{{2}}\" required></div>\n</div>\n</fieldset>\n",
            escape(&a.line),
            escape(&a.city),
            escape(a.postal_code.as_deref().unwrap_or("")),
            escape(&a.country),
        ));
    }
    m.push_str(
        "<fieldset class=\"step card\" id=\"step-finish\" data-step=\"finish\">\
         <legend>How should it end?</legend>\n\
         <p class=\"muted\">Sandbox only: the outcome every check (and the workflow session) \
         completes with.</p>\n<div class=\"stack\">\n\
         <label class=\"check-field\"><input type=\"radio\" name=\"outcome\" value=\"scenarios\" checked> \
         <span>Let scenarios decide <span class=\"muted\">(armed scenarios, magic last names and \
         fixture rules, as for API calls)</span></span></label>\n\
         <label class=\"check-field\"><input type=\"radio\" name=\"outcome\" value=\"clear\"> Clear</label>\n\
         <label class=\"check-field\"><input type=\"radio\" name=\"outcome\" value=\"attention\"> Attention</label>\n\
         <label class=\"check-field\"><input type=\"radio\" name=\"outcome\" value=\"not_processed\"> \
         Not processed</label>\n</div>\n</fieldset>\n\
         <div class=\"row flow-actions\">\
         <button type=\"button\" id=\"flow-back\" hidden>Back</button>\
         <button type=\"button\" id=\"flow-next\" class=\"primary\" hidden>Next</button>\
         <button type=\"submit\" id=\"flow-complete\" class=\"primary\">Complete verification</button>\
         </div>\n</form>\n",
    );
    m.push_str(&format!(
        "<form id=\"flow-cancel\" class=\"flow-cancel\" method=\"post\" \
         action=\"/__admin/flow/{id}/cancel\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <button type=\"submit\" class=\"quiet\">Cancel verification</button></form>\n",
        escape(f.token)
    ));
    if let Some(email) = f.support_email {
        m.push_str(&format!(
            "<p class=\"muted\">Need help? Write to <a href=\"mailto:{0}\">{0}</a>.</p>\n",
            escape(email)
        ));
    }
    frame("Verify your identity", Some(f.shown), true, &m)
}

/// The page of a session that is no longer open.
pub(crate) fn closed(c: &Closed<'_>) -> String {
    let when = |t: &Option<String>| {
        t.as_deref()
            .map(|t| format!(" on {}", escape(&human(t))))
            .unwrap_or_default()
    };
    let (title, text) = match c.state {
        "completed" => (
            "Verification complete",
            format!(
                "This verification was completed{}. There is nothing more to do here. \
                 <a href=\"{}\">Return to the app</a>.",
                when(&c.finished_at),
                escape(c.success_url)
            ),
        ),
        "cancelled" => (
            "Verification cancelled",
            format!(
                "This verification was cancelled{}. <a href=\"{}\">Return to the app</a>.",
                when(&c.finished_at),
                escape(c.cancel_url)
            ),
        ),
        _ => (
            "This link has expired",
            format!(
                "This verification was open until {}. Ask the app for a new link.",
                escape(&human(&c.expires_at))
            ),
        ),
    };
    let main = format!(
        "<h1>{title}</h1>\n<p><span class=\"badge big\" id=\"flow-status\">{}</span></p>\n\
         <p>{text}</p>\n",
        escape(c.state)
    );
    frame(title, Some(c.shown), false, &main)
}

/// A problem page, with a link back to the session when that helps.
pub(crate) fn problem(p: &Problem<'_>, shown: Option<&Shown>) -> String {
    let mut main = format!("<h1>{}</h1>\n<p>{}</p>\n", escape(p.title), escape(p.text));
    if let Some(d) = p.detail {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\" id=\"flow-problem\">{}</p>\n",
            escape(d)
        ));
    }
    if p.back {
        main.push_str(&format!(
            "<p><a href=\"/__admin/flow/{}\">Back to the verification</a></p>\n",
            escape(&crate::console::html::encode(p.id))
        ));
    }
    frame(p.title, shown, false, &main)
}
