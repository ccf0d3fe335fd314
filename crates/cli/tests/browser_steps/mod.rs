//! Steps of the browser test, one file per feature.

pub mod accounts;
pub mod imports;
pub mod overview;
pub mod preparedness;
pub mod vulnerabilities;

use fantoccini::{Client, Locator};

/// Clicks the element `css` names (panicking with the selector when it is missing).
pub async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .click()
        .await
        .unwrap();
}

/// The text of the element `locator` finds (panicking with it when it is missing).
pub async fn text_of(client: &Client, locator: Locator<'_>) -> String {
    client
        .find(locator)
        .await
        .unwrap_or_else(|_| panic!("{locator:?}"))
        .text()
        .await
        .unwrap()
}

/// Chooses `file` in the file input `input` and sends its form, waiting for `expect` on the
/// page it leads to.
pub async fn send_file(client: &Client, input: Locator<'_>, file: &std::path::Path, expect: &str) {
    client
        .find(input)
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    crate::submit(
        client,
        "form[enctype='multipart/form-data'] button[type=submit]",
        expect,
    )
    .await;
}
