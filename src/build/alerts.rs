//! The alert pages (`alerts/<AlertName>/`: a redirect to the runbook, or a choice of
//! runbooks), the alerts index (`alerts/`) and `alerts.json`, for alerting tools and scripts.

use super::context::{Card, OwnerRef};
use super::theme::PageWriter;
use super::{Builder, Fatal};
use crate::content::date::Date;
use crate::model::Review;
use crate::model::alerts::{AlertIndex, AlertPage};
use crate::model::owners::Standing;
use serde::Serialize;

/// Where the machine-readable alert map is written.
pub const ALERTS_JSON: &str = "alerts.json";

/// What `alert.html` gets as `alert`.
#[derive(Serialize)]
struct AlertCtx {
    /// The alert names this URL stands for (more than one only when names collide).
    names: Vec<String>,
    runbooks: Vec<Card>,
    /// The runbook's URL when the page redirects to it (exactly one runbook).
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect: Option<String>,
}

/// One row of the alerts index.
#[derive(Serialize)]
struct AlertRow {
    name: String,
    url: String,
    runbooks: Vec<Card>,
}

/// `alerts.json`: see docs/alerts.md for the format.
#[derive(Serialize)]
struct AlertsJson<'a> {
    version: u32,
    title: &'a str,
    base_url: &'a str,
    today: Date,
    alerts: Vec<AlertJson>,
}

#[derive(Serialize)]
struct AlertJson {
    name: String,
    url: String,
    runbooks: Vec<RunbookJson>,
}

#[derive(Serialize)]
struct RunbookJson {
    title: String,
    url: String,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<String>,
    services: Vec<String>,
    owners: Vec<OwnerJson>,
    ownership: &'static str,
    review: Review,
}

/// An owner without the site-relative team page URL, which means nothing outside the site.
#[derive(Serialize)]
struct OwnerJson {
    id: String,
    name: String,
    kind: &'static str,
    standing: Standing,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
}

impl From<OwnerRef> for OwnerJson {
    fn from(o: OwnerRef) -> OwnerJson {
        OwnerJson {
            id: o.id,
            name: o.name,
            kind: o.kind,
            standing: o.standing,
            channel: o.channel,
        }
    }
}

/// Individual alert pages stand for their runbooks (which name them as canonical), so only
/// the index goes in the sitemap; `alerts.json` is no page.
pub fn in_sitemap(url: &str) -> bool {
    url == "alerts/" || !(url == ALERTS_JSON || url.starts_with("alerts/"))
}

/// `alerts/<name>/` at `url` for the alert `names` answered by `runbooks` (redirecting to the
/// one runbook, or offering the choice); `base` is the site's `base_url`.
pub fn write_alert_page(
    w: &impl PageWriter,
    base: &str,
    url: &str,
    names: &[String],
    runbooks: Vec<Card>,
) -> Result<(), Fatal> {
    let names_text = names.join(", ");
    let (title, description) = match runbooks.as_slice() {
        [one] => (
            format!("Alert {names_text}"),
            format!("{names_text} is answered by the runbook “{}”", one.title),
        ),
        _ => (
            format!("Alert {names_text}: choose a runbook"),
            format!("Runbooks answering {names_text}"),
        ),
    };
    let mut page = w.page("alert", &title, url, &description);
    let redirect = match runbooks.as_slice() {
        [one] => Some(one.url.clone()),
        _ => None,
    };
    if let Some(target) = &redirect {
        page.canonical = format!("{base}{target}");
    }
    let ctx = AlertCtx {
        names: names.to_vec(),
        runbooks,
        redirect,
    };
    w.apply_template("alert.html", &page, "alert", &ctx)
}

/// `alerts/`: every alert name with the runbooks answering it, names in order.
pub fn write_alerts_index(
    w: &impl PageWriter,
    rows: impl IntoIterator<Item = (String, Vec<Card>)>,
) -> Result<(), Fatal> {
    let rows: Vec<AlertRow> = rows
        .into_iter()
        .map(|(name, runbooks)| AlertRow {
            url: crate::content::urls::alert_url(&name),
            name,
            runbooks,
        })
        .collect();
    let page = w.page(
        "alerts",
        "Alerts",
        "alerts/",
        "Every alert the runbooks answer, with its runbook and owners",
    );
    w.apply_template("alerts.html", &page, "alerts", &rows)
}

impl Builder<'_> {
    pub(super) fn cards_of(&self, docs: &[&crate::model::Document]) -> Vec<Card> {
        docs.iter().map(|d| Card::new(self.site, d)).collect()
    }

    pub(super) fn alert_page(&self, alert: &AlertPage) -> Result<(), Fatal> {
        let base = &self.site.config.book.base_url;
        write_alert_page(
            self,
            base,
            &alert.url,
            &alert.names,
            self.cards_of(&alert.runbooks),
        )
    }

    pub(super) fn alerts_index(&self, index: &AlertIndex) -> Result<(), Fatal> {
        let rows = index
            .by_name
            .iter()
            .map(|(name, docs)| (name.clone(), self.cards_of(docs)));
        write_alerts_index(self, rows)
    }

    pub(super) fn alerts_json(&self, index: &AlertIndex) -> Result<(), Fatal> {
        let rows = index
            .by_name
            .iter()
            .map(|(name, docs)| (name.clone(), self.cards_of(docs)));
        let book = &self.site.config.book;
        let bytes = alerts_json(&book.title, &book.base_url, self.site.today, rows);
        self.write(ALERTS_JSON, bytes)
    }
}

/// `alerts.json` of a site titled `title` published at `base`: every alert name with the
/// runbooks answering it, names in order.
pub fn alerts_json(
    title: &str,
    base: &str,
    today: Date,
    rows: impl IntoIterator<Item = (String, Vec<Card>)>,
) -> Vec<u8> {
    let alerts = rows
        .into_iter()
        .map(|(name, runbooks)| AlertJson {
            url: format!("{base}{}", crate::content::urls::alert_url(&name)),
            name,
            runbooks: runbooks
                .into_iter()
                .map(|card| RunbookJson {
                    url: format!("{base}{}", card.url),
                    title: card.title,
                    file: card.file,
                    severity: card.severity,
                    services: card.services,
                    owners: card.owners.into_iter().map(OwnerJson::from).collect(),
                    ownership: card.ownership,
                    review: card.review,
                })
                .collect(),
        })
        .collect();
    let json = AlertsJson {
        version: 1,
        title,
        base_url: base,
        today,
        alerts,
    };
    // Titles and names are the authors' text: no markup may reach a reader of the file.
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    let mut bytes = crate::search::client::markup_safe(&text).into_bytes();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_index_of_alert_pages_is_in_the_sitemap() {
        assert!(in_sitemap("alerts/"));
        assert!(in_sitemap("runbooks/"));
        assert!(in_sitemap("alertsx/"));
        assert!(!in_sitemap("alerts/KubePodCrashLooping/"));
        assert!(!in_sitemap("alerts.json"));
    }
}
