//! Signing in and out of the pages: the sign-in form, human errors in both languages, where each
//! role lands, pages that need a session, and the CSRF token on forms that change something.

use crate::harness::{TEST_PASSWORD, TestServer};

crate::on_both_backends!(
    sign_in_lands_on_the_roles_workspace_and_sign_out_needs_the_token,
    a_wrong_password_is_a_human_sentence_in_the_users_language,
    a_page_that_needs_a_session_sends_you_to_sign_in_and_back,
);

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn sign_in(s: &TestServer, username: &str, back: Option<&str>) -> reqwest::Response {
    let mut form = vec![("username", username), ("password", TEST_PASSWORD)];
    if let Some(b) = back {
        form.push(("back", b));
    }
    browser()
        .post(s.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

fn session_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tongban_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

async fn sign_in_lands_on_the_roles_workspace_and_sign_out_needs_the_token(s: &TestServer) {
    s.account("pg-citizen", "applicant", |a| {
        a.id_number = Some("430481199003150014".into());
    })
    .await;
    s.account("pg-super", "supervisor", |a| {
        a.region_code = Some("430400".into());
    })
    .await;

    let resp = sign_in(s, "pg-citizen", None).await;
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/my/cases");
    let cookie = session_cookie(&resp);
    assert!(
        resp.headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("HttpOnly") && v.contains("SameSite=Lax")),
        "the cookie is HttpOnly and SameSite"
    );
    let resp = sign_in(s, "pg-super", None).await;
    assert_eq!(location(&resp), "/dashboard");

    // The top bar shows who is signed in and a sign-out form carrying the CSRF token.
    let page = browser()
        .get(s.url("/login?back=/items/430400-RS-0001"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 303, "signed in: straight back");
    assert_eq!(location(&page), "/items/430400-RS-0001");
    let home = browser()
        .get(s.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = home
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a CSRF token in the sign-out form")
        .to_string();
    assert_eq!(token.len(), 32);

    // Without the token, or with another, nothing happens: a human 403.
    for bad in ["", "00000000000000000000000000000000"] {
        let resp = browser()
            .post(s.url("/logout"))
            .header("cookie", &cookie)
            .form(&[("csrf", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 403);
        let body = resp.text().await.unwrap();
        assert!(body.contains("页面已过期"), "{body}");
    }
    let me = browser()
        .get(s.url("/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&me), "/my/cases", "still signed in");

    let resp = browser()
        .post(s.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert!(
        resp.headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("Max-Age=0")),
        "the cookie is cleared"
    );
    // The session itself is ended, not only the cookie.
    let me = browser()
        .get(s.url("/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&me), "/login?back=/me");
}

async fn a_wrong_password_is_a_human_sentence_in_the_users_language(s: &TestServer) {
    s.account("pg-clerk-x", "applicant", |a| {
        a.id_number = Some("430481199003150014".into());
    })
    .await;
    for (lang, expected) in [
        ("zh", "用户名或密码"),
        ("en", "the user name or the password is wrong"),
    ] {
        let resp = browser()
            .post(s.url("/login"))
            .header("cookie", format!("tongban_lang={lang}"))
            .form(&[("username", "pg-clerk-x"), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        let body = resp.text().await.unwrap();
        assert!(
            body.to_lowercase().contains(&expected.to_lowercase()),
            "{lang}: {body}"
        );
        assert!(!body.contains("account.bad_credentials"), "no raw codes");
        assert!(body.contains("value=\"pg-clerk-x\""), "the name is kept");
    }
    let resp = browser()
        .post(s.url("/login"))
        .form(&[("username", ""), ("password", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().await.unwrap().contains("请填写用户名和密码"));
}

async fn a_page_that_needs_a_session_sends_you_to_sign_in_and_back(s: &TestServer) {
    let resp = browser().get(s.url("/me?x=1")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(location(&resp), "/login?back=/me%3Fx%3D1");

    s.account("pg-back", "applicant", |a| {
        a.id_number = Some("430481199003150014".into());
    })
    .await;
    let resp = sign_in(s, "pg-back", Some("/items/430400-RS-0001")).await;
    assert_eq!(location(&resp), "/items/430400-RS-0001");
    // Only to this site: anything else lands on the workspace.
    let resp = sign_in(s, "pg-back", Some("https://evil.example/")).await;
    assert_eq!(location(&resp), "/my/cases");
}
