//! The "Ingest API" view of a meter, as m3ter's Console shows it on a meter's page: the URL to
//! post measurements to for this organization, and the same request as JSON, cURL, JavaScript,
//! Python and Java, ready to copy.
//!
//! The samples are plain HTTP in each language (no SDK to install) and read the bearer token from
//! the `M3TER_API_TOKEN` environment variable, so a copied sample never carries a secret.
//! Every sample posts the same body: `{"measurements":[…]}` with the measurement given, which the
//! caller builds with [`example_measurement`] (a value per data field) or takes from a draft.

use super::types::{DataFieldCategory, Measurement, MeasurementBatch, Meter};
use serde_json::Number;
use std::fmt;

/// Name of the environment variable the samples read the bearer token from.
pub const TOKEN_VAR: &str = "M3TER_API_TOKEN";

/// The languages of the Console's Ingest API tab, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SampleLanguage {
    Json,
    Curl,
    JavaScript,
    Python,
    Java,
}

impl SampleLanguage {
    pub const ALL: [SampleLanguage; 5] = [
        Self::Json,
        Self::Curl,
        Self::JavaScript,
        Self::Python,
        Self::Java,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Curl => "cURL",
            Self::JavaScript => "JavaScript",
            Self::Python => "Python",
            Self::Java => "Java",
        }
    }
}

impl fmt::Display for SampleLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// `{ingest base}/organizations/{org}/measurements`: where measurements are posted.
///
/// `ingest_base` is the client's ingest URL (`https://ingest.m3ter.com` for real m3ter, the
/// sandbox's base URL otherwise); a trailing slash is tolerated.
pub fn submission_url(ingest_base: &str, org_id: &str) -> String {
    format!(
        "{}/organizations/{org_id}/measurements",
        ingest_base.trim_end_matches('/')
    )
}

/// A measurement for `meter` with an example value in every data field: `1` for numeric fields,
/// the field's code for string fields (so the sample shows which value goes where).
pub fn example_measurement(meter: &Meter, account: &str, ts: &str, uid: &str) -> Measurement {
    let mut m = Measurement {
        uid: Some(uid.to_string()),
        meter: meter.code.clone().unwrap_or_default(),
        account: account.to_string(),
        ts: ts.to_string(),
        ..Default::default()
    };
    for field in &meter.data_fields {
        if field.category.is_numeric() {
            if let Some(map) = m.numbers_mut(field.category) {
                map.insert(field.code.clone(), Number::from(1));
            }
        } else if let Some(map) = m.strings_mut(field.category) {
            let example = match field.category {
                DataFieldCategory::Metadata => format!("{} note", field.code),
                _ => field.code.clone(),
            };
            map.insert(field.code.clone(), example);
        }
    }
    m
}

/// Every sample for one request: the URL and the body, rendered per language.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestSamples {
    pub url: String,
    /// The request body, pretty-printed (two-space indents).
    pub body: String,
}

impl IngestSamples {
    pub fn new(ingest_base: &str, org_id: &str, measurements: &[Measurement]) -> Self {
        let batch = MeasurementBatch {
            measurements: measurements.to_vec(),
        };
        let body = serde_json::to_string_pretty(&batch).expect("a measurement always serialises");
        Self {
            url: submission_url(ingest_base, org_id),
            body,
        }
    }

    /// The same for measurements as raw JSON (a log entry's request, sent as it was typed).
    pub fn from_json(ingest_base: &str, org_id: &str, measurements: &[serde_json::Value]) -> Self {
        let body =
            serde_json::to_string_pretty(&serde_json::json!({ "measurements": measurements }))
                .expect("JSON values always serialise");
        Self {
            url: submission_url(ingest_base, org_id),
            body,
        }
    }

    /// The sample in `lang`, complete and runnable as shown.
    pub fn render(&self, lang: SampleLanguage) -> String {
        match lang {
            SampleLanguage::Json => self.body.clone(),
            SampleLanguage::Curl => self.curl(),
            SampleLanguage::JavaScript => self.javascript(),
            SampleLanguage::Python => self.python(),
            SampleLanguage::Java => self.java(),
        }
    }

    fn curl(&self) -> String {
        format!(
            "curl -X POST '{url}' \\\n  -H \"Authorization: Bearer ${TOKEN_VAR}\" \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{body}'",
            url = self.url,
            body = self.body.replace('\'', r"'\''"),
        )
    }

    fn javascript(&self) -> String {
        format!(
            "const response = await fetch(\"{url}\", {{\n  method: \"POST\",\n  headers: {{\n    \"Authorization\": `Bearer ${{process.env.{TOKEN_VAR}}}`,\n    \"Content-Type\": \"application/json\",\n  }},\n  body: JSON.stringify({body}),\n}});\nconsole.log(response.status, await response.json());",
            url = self.url,
            body = indent_after_first(&self.body, "  "),
        )
    }

    fn python(&self) -> String {
        // JSON literals are Python literals except true/false/null; the body has none of them
        // (measurements carry only strings and numbers), and json.loads keeps it exact anyway.
        format!(
            "import json\nimport os\n\nimport requests\n\nbody = json.loads(r'''\n{body}\n''')\nresponse = requests.post(\n    \"{url}\",\n    headers={{\"Authorization\": \"Bearer \" + os.environ[\"{TOKEN_VAR}\"]}},\n    json=body,\n)\nprint(response.status_code, response.json())",
            url = self.url,
            body = self.body.replace("'''", r"\'\'\'"),
        )
    }

    fn java(&self) -> String {
        format!(
            "import java.net.URI;\nimport java.net.http.HttpClient;\nimport java.net.http.HttpRequest;\nimport java.net.http.HttpResponse;\n\npublic class SubmitMeasurements {{\n    public static void main(String[] args) throws Exception {{\n        String body = \"\"\"\n{body}\n            \"\"\";\n        HttpRequest request = HttpRequest.newBuilder()\n            .uri(URI.create(\"{url}\"))\n            .header(\"Authorization\", \"Bearer \" + System.getenv(\"{TOKEN_VAR}\"))\n            .header(\"Content-Type\", \"application/json\")\n            .POST(HttpRequest.BodyPublishers.ofString(body))\n            .build();\n        HttpResponse<String> response = HttpClient.newHttpClient()\n            .send(request, HttpResponse.BodyHandlers.ofString());\n        System.out.println(response.statusCode() + \" \" + response.body());\n    }}\n}}",
            url = self.url,
            body = indent_all(&self.body.replace('\\', "\\\\").replace("\"\"\"", "\\\"\"\""), "            "),
        )
    }
}

fn indent_after_first(text: &str, pad: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn indent_all(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ter::types::DataField;

    fn meter() -> Meter {
        let field = |category, code: &str| DataField {
            category,
            code: code.into(),
            name: code.into(),
            unit: None,
        };
        Meter {
            id: "m-1".into(),
            code: Some("api_calls".into()),
            name: Some("API calls".into()),
            data_fields: vec![
                field(DataFieldCategory::Measure, "num_apps"),
                field(DataFieldCategory::Who, "user"),
                field(DataFieldCategory::Cost, "spend"),
            ],
            ..Default::default()
        }
    }

    fn samples() -> IngestSamples {
        let m = example_measurement(&meter(), "ACME", "2026-11-25T10:00:00Z", "u-1");
        IngestSamples::new("https://ingest.m3ter.com/", "org-9", &[m])
    }

    #[test]
    fn url_names_the_org_and_tolerates_a_trailing_slash() {
        assert_eq!(
            submission_url("https://ingest.m3ter.com/", "org-9"),
            "https://ingest.m3ter.com/organizations/org-9/measurements"
        );
        assert_eq!(
            submission_url("http://127.0.0.1:4000", "o"),
            "http://127.0.0.1:4000/organizations/o/measurements"
        );
    }

    #[test]
    fn example_has_a_typed_value_for_every_data_field() {
        let m = example_measurement(&meter(), "ACME", "2026-11-25T10:00:00Z", "u-1");
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["measure"]["num_apps"], 1);
        assert_eq!(v["cost"]["spend"], 1);
        assert_eq!(v["who"]["user"], "user");
        assert_eq!(v["meter"], "api_calls");
        assert_eq!(v["uid"], "u-1");
    }

    #[test]
    fn json_sample_is_the_body_and_parses_back() {
        let s = samples();
        let v: serde_json::Value = serde_json::from_str(&s.render(SampleLanguage::Json)).unwrap();
        assert_eq!(v["measurements"][0]["account"], "ACME");
        assert_eq!(v["measurements"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn every_language_carries_url_token_variable_and_body_values() {
        let s = samples();
        for lang in SampleLanguage::ALL {
            let text = s.render(lang);
            assert!(text.contains("\"num_apps\": 1"), "{lang}: {text}");
            if lang != SampleLanguage::Json {
                assert!(text.contains(&s.url), "{lang} has the url");
                assert!(text.contains(TOKEN_VAR), "{lang} reads the token variable");
                assert!(text.contains("application/json") || lang == SampleLanguage::Python);
            }
        }
    }

    #[test]
    fn curl_quotes_a_single_quote_in_a_value() {
        let mut m = example_measurement(&meter(), "ACME", "2026-11-25T10:00:00Z", "u-1");
        m.who
            .as_mut()
            .unwrap()
            .insert("user".into(), "O'Brien".into());
        let s = IngestSamples::new("https://x", "o", &[m]);
        let curl = s.render(SampleLanguage::Curl);
        assert!(curl.contains(r"O'\''Brien"), "{curl}");
    }

    #[test]
    fn curl_sample_snapshot() {
        insta::assert_snapshot!(samples().render(SampleLanguage::Curl));
    }

    #[test]
    fn javascript_python_java_snapshots() {
        let s = samples();
        insta::assert_snapshot!("javascript", s.render(SampleLanguage::JavaScript));
        insta::assert_snapshot!("python", s.render(SampleLanguage::Python));
        insta::assert_snapshot!("java", s.render(SampleLanguage::Java));
    }
}
