//! The QA console over HTTP: where browsers land, what its pages and assets
//! answer, that nothing from a request is reflected unescaped, the admin
//! token and the session cookie, and the refusal of cross-site changes.

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, redirect};
use serde_json::json;

use crate::helpers::{TestApp, decode, decode_text, spawn_app, spawn_with};

const CHROME_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

/// A client that shows redirects instead of following them.
fn no_redirects() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

fn header(res: &reqwest::Response, name: impl reqwest::header::AsHeaderName) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn browsers_land_on_the_console_and_api_clients_keep_the_json_404() {
    let app = spawn_app().await;
    let res = no_redirects()
        .get(app.url("/"))
        .header(ACCEPT, CHROME_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, LOCATION), "/__admin/ui/");
    for accept in [
        None,
        Some("*/*"),
        Some("application/json"),
        Some("application/json, text/html;q=0.5"),
    ] {
        let mut req = no_redirects().get(app.url("/"));
        if let Some(a) = accept {
            req = req.header(ACCEPT, a);
        }
        let (s, v) = decode(req.send().await.unwrap()).await;
        assert_eq!(s, 404, "{accept:?}");
        assert_eq!(v["type"], "resource_not_found", "{accept:?}");
    }
}

#[tokio::test]
async fn console_pages_and_assets_answer_with_their_types_and_a_strict_policy() {
    let app = spawn_app().await;
    let pages = [
        ("/__admin/ui/", 200),
        ("/__admin/ui", 200),
        ("/__admin/ui/tenants/test_abc", 200),
        (
            "/__admin/ui/tenants/test_abc/checks/0123456789abcdef01234567",
            200,
        ),
        ("/__admin/ui/tenants/test_abc/requests?method=POST", 200),
        ("/__admin/ui/elsewhere", 404),
    ];
    for (path, status) in pages {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(
            header(&res, CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{path}"
        );
        let csp = header(&res, "content-security-policy");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(header(&res, "x-content-type-options"), "nosniff");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer");
        let body = res.text().await.unwrap();
        assert!(body.contains("<main id=\"main\""), "{path}");
    }
    let (_, tenant_page) = decode_text(
        app.client
            .get(app.url("/__admin/ui/tenants/test_abc/clients"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for nav in [
        "Overview",
        "Clients",
        "Checks",
        "Face recognition",
        "Scenarios",
        "Webhooks",
        "Journal",
    ] {
        assert!(
            tenant_page.contains(&format!(">{nav}</a>")),
            "no {nav} in the navigation"
        );
    }
    let assets = [
        ("console.js", "text/javascript; charset=utf-8"),
        ("pages.js", "text/javascript; charset=utf-8"),
        ("activity.js", "text/javascript; charset=utf-8"),
        ("complycube.js", "text/javascript; charset=utf-8"),
        ("verifik.js", "text/javascript; charset=utf-8"),
        ("console.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ];
    for (name, kind) in assets {
        let url = app.url(&format!("/__admin/ui/assets/{name}"));
        let res = app.client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{name}");
        assert_eq!(header(&res, CONTENT_TYPE), kind, "{name}");
        let etag = header(&res, "etag");
        assert!(!res.bytes().await.unwrap().is_empty(), "{name}");
        let again = app
            .client
            .get(&url)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{name}");
    }
    let res = app
        .client
        .get(app.url("/__admin/ui/assets/other.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn hostile_request_content_is_never_reflected_as_markup() {
    let app = spawn_app().await;
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    app.post(
        "/v1/clients",
        json!({"type":"person","email":"x@example.com","personDetails":{"firstName":hostile,"lastName":"\"'><svg onload=alert(3)>"}}),
    )
    .await;
    let (s, journal) = app.get("/__admin/requests").await;
    assert_eq!(s, 200);
    assert!(
        journal["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains(hostile)
    );
    // The journal is JSON, never sniffed as a page.
    let res = app.call(Method::GET, "/__admin/requests", None).await;
    assert!(header(&res, CONTENT_TYPE).starts_with("application/json"));
    // The tenant key in a page URL is the only request data a page shows.
    let encoded = "%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27";
    let (s, page) = decode_text(
        app.client
            .get(app.url(&format!("/__admin/ui/tenants/{encoded}/requests")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"),
        "{page}"
    );
    // So is the login page's return path.
    let token_app = spawn_with(|c| c.admin_token = Some("s3cret".into())).await;
    let (s, login) =
        decode_text(
            token_app
                .client
                .get(token_app.url(
                    "/__admin/ui/login?next=/__admin/ui/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
                ))
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!(s, 200);
    assert!(!login.contains("<script>alert"), "{login}");
    assert!(login.contains("&quot;&gt;&lt;script&gt;"), "{login}");
}

/// Signs in with `token`; the response (not followed).
async fn sign_in(app: &TestApp, token: &str, next: &str) -> reqwest::Response {
    no_redirects()
        .post(app.url("/__admin/ui/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("token", token), ("next", next)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_an_admin_token_the_console_signs_in_once_and_keeps_an_http_only_cookie() {
    let app = spawn_with(|c| c.admin_token = Some("s3cret".into())).await;
    let page = "/__admin/ui/tenants/test_abc/checks";
    let res = no_redirects().get(app.url(page)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let to_login = header(&res, LOCATION);
    assert_eq!(
        to_login,
        "/__admin/ui/login?next=%2F__admin%2Fui%2Ftenants%2Ftest_abc%2Fchecks"
    );
    let (s, v) = app.get("/__admin/scenarios").await;
    assert_eq!((s, v["error"].as_str()), (401, Some("unauthorized")));

    let wrong = sign_in(&app, "guess", page).await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get(SET_COOKIE).is_none());

    let res = sign_in(&app, "s3cret", page).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(&res, LOCATION), page);
    let set = header(&res, SET_COOKIE);
    for part in ["HttpOnly", "SameSite=Strict", "Path=/__admin"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(
        !set.contains("s3cret") && !to_login.contains("s3cret"),
        "the token leaks: {set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();

    let with_cookie = |method: Method, path: &str| {
        app.client
            .request(method, app.url(path))
            .header(COOKIE, &cookie)
            .header("Authorization", &app.key)
    };
    let res = with_cookie(Method::GET, page).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Sign out"));
    let (s, _) = decode(
        with_cookie(Method::GET, "/__admin/scenarios")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    // A state change on the cookie alone is refused: only the console's own calls carry the header.
    let (s, v) = decode(
        with_cookie(Method::POST, "/__admin/clock/freeze")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, v["error"].as_str()), (403, Some("forbidden")), "{v}");
    let (s, v) = decode(
        with_cookie(Method::POST, "/__admin/clock/freeze")
            .header("x-sandbox-console", "1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, v["frozen"].as_bool()), (200, Some(true)), "{v}");
    // A cookie made from another token is no session.
    let forged = format!("kyc_sandbox_console={}", "0".repeat(64));
    let res = no_redirects()
        .get(app.url(page))
        .header(COOKIE, forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // X-Admin-Token keeps working for scripts.
    let (s, _) = decode(
        app.client
            .get(app.url("/__admin/scenarios"))
            .header("x-admin-token", "s3cret")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    // Signing out clears the cookie.
    let res = no_redirects()
        .post(app.url("/__admin/ui/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(header(&res, SET_COOKIE).contains("Max-Age=0"));
}

#[tokio::test]
async fn cross_site_requests_never_change_the_sandbox() {
    let app = spawn_app().await;
    let cases: &[(&[(&str, &str)], u16)] = &[
        (&[], 200),
        (&[("sec-fetch-site", "same-origin")], 200),
        (&[("sec-fetch-site", "cross-site")], 403),
        (&[("sec-fetch-site", "same-site")], 403),
        (&[("origin", "http://evil.example")], 403),
        (&[("origin", "null")], 403),
    ];
    for (headers, want) in cases {
        let mut req = app
            .client
            .post(app.url("/__admin/clock/freeze"))
            .header("Authorization", &app.key);
        for (k, v) in *headers {
            req = req.header(*k, *v);
        }
        let (s, v) = decode(req.send().await.unwrap()).await;
        assert_eq!(s, *want, "{headers:?}: {v}");
        if *want == 403 {
            assert_eq!(v["error"], "forbidden");
        }
    }
    // Reading stays possible (a browser cannot read another site's answers anyway).
    let (s, _) = decode(
        app.client
            .get(app.url("/__admin/clock"))
            .header("Authorization", &app.key)
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    // Signing in from another site is refused too.
    let token_app = spawn_with(|c| c.admin_token = Some("s3cret".into())).await;
    let res = no_redirects()
        .post(token_app.url("/__admin/ui/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("token", "s3cret")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get(SET_COOKIE).is_none());
}
