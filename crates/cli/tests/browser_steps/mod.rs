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
