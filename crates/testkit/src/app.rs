//! The production router on 127.0.0.1:0 and a client that behaves like a browser.

use std::net::SocketAddr;
use std::sync::Arc;

use mimamori_domain::access::Role;
use mimamori_domain::clock::FixedClock;
use mimamori_domain::facility::{FacilityInput, FacilityProfile};
use mimamori_domain::i18n::Lang;
use mimamori_store::facilities::Facility;
use mimamori_store::{Actor, Store};
use mimamori_web::auth::totp;
use mimamori_web::{AppState, WebConfig};
use reqwest::cookie::{CookieStore, Jar};

use crate::db::{fixed_clock, Backend, TestDb};

pub const PASSWORD: &str = "Test-pass-2026!";

/// The password every test user has.
pub fn app_password() -> &'static str {
    PASSWORD
}

pub struct TestApp {
    pub address: SocketAddr,
    pub store: Store,
    pub clock: Arc<FixedClock>,
    pub db: TestDb,
    pub organisation_id: i64,
    pub facility: Facility,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub totp_secret: String,
}

impl TestApp {
    /// Starts the server with one organisation and a facility `F1`.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, WebConfig::default()).await
    }

    pub async fn spawn_with(backend: Backend, config: WebConfig) -> TestApp {
        let db = TestDb::new(backend).await;
        let clock = fixed_clock();
        let store = db.store(clock.clone()).await;
        // As `mimamori serve` does: the checklist editions shipped in the binary.
        store
            .sync_builtin_editions(&mimamori_formats::catalog::builtin_editions().unwrap())
            .await
            .unwrap();
        let profile = facility_profile("F1", "テスト病院");
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        let organisation = tx.create_organisation("テスト医療法人").await.unwrap();
        let facility = tx.create_facility(organisation.id, &profile).await.unwrap();
        tx.commit().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (tx_stop, rx_stop) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone(), config);
        tokio::spawn(async move {
            let _ = mimamori_web::serve(listener, state, async {
                let _ = rx_stop.await;
            })
            .await;
        });
        TestApp {
            address,
            store,
            clock,
            db,
            organisation_id: organisation.id,
            facility,
            shutdown: Some(tx_stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// A valid hospital profile named 施設{code}.
    pub fn facility_profile_for_tests(code: &str) -> FacilityProfile {
        facility_profile(code, &format!("施設{code}"))
    }

    /// A user with TOTP already enrolled, holding `role` on `facility` (or organisation-wide).
    pub async fn user(&self, email: &str, role: Role, facility: Option<i64>) -> TestUser {
        self.user_with_expiry(email, role, facility, None).await
    }

    pub async fn user_with_expiry(
        &self,
        email: &str,
        role: Role,
        facility: Option<i64>,
        expires_on: Option<&str>,
    ) -> TestUser {
        let hash = mimamori_web::auth::password::hash(PASSWORD).unwrap();
        let secret = totp::new_secret();
        let mut tx = self.store.write(&Actor::system("test")).await.unwrap();
        let id = tx.create_user(email, email, &hash, Lang::Ja).await.unwrap();
        tx.add_membership(id, self.organisation_id, facility, role, expires_on)
            .await
            .unwrap();
        tx.set_pending_totp(id, &secret).await.unwrap();
        tx.enable_totp(id, 0, &[]).await.unwrap();
        tx.commit().await.unwrap();
        TestUser {
            id,
            email: email.to_string(),
            totp_secret: secret,
        }
    }

    pub fn client(&self) -> TestClient {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestClient {
            http,
            jar,
            base: self.url(""),
        }
    }

    /// The current TOTP code for a user; advances the clock a step so codes are never replayed.
    pub fn totp_code(&self, user: &TestUser) -> String {
        self.clock.advance(chrono::Duration::seconds(31));
        let now = mimamori_domain::clock::Clock::now(self.clock.as_ref()).timestamp() as u64;
        totp::code_at(&user.totp_secret, now).unwrap()
    }

    /// Signs in with password and TOTP; returns the client with its session.
    pub async fn sign_in(&self, user: &TestUser) -> TestClient {
        let client = self.client();
        let response = client
            .post_form(
                "/login",
                &[
                    ("email", &user.email),
                    ("password", PASSWORD),
                    ("next", "/dashboard"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "password step for {}", user.email);
        let code = self.totp_code(user);
        let response = client
            .post_form("/login/totp", &[("code", &code), ("next", "/dashboard")])
            .await;
        assert_eq!(response.status(), 303, "TOTP step for {}", user.email);
        assert_eq!(response.headers()["location"], "/dashboard");
        client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(());
        }
    }
}

pub fn facility_profile(code: &str, name: &str) -> FacilityProfile {
    FacilityInput {
        code: code.into(),
        name: name.into(),
        kind: "hospital".into(),
        beds: "120".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// A client with a cookie jar that sends the CSRF token like the pages' forms do.
pub struct TestClient {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

impl TestClient {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// The CSRF token of this client's session (or, signed out, of its CSRF cookie), from the
    /// `X-CSRF-Token` header every response carries.
    pub async fn csrf(&self) -> String {
        let response = self.get("/healthz").await;
        response
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .expect("every response carries the CSRF token")
            .to_string()
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(&self.base).unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    /// POSTs a urlencoded form with the CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &token));
        self.http
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Sends JSON with the CSRF header (cookie sessions need it for writes).
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let token = self.csrf().await;
        self.http
            .request(method, self.url(path))
            .header("x-csrf-token", token)
            .json(body)
            .send()
            .await
            .unwrap()
    }
}
