//! ComplyCube's documented `result.breakdown` keys, per check type, with the
//! page each list comes from. Paths are dotted; `[]` marks the objects of an
//! array; an array of strings (or an empty array) is a leaf.
//!
//! `always`: keys every complete `clear` result of the type carries for a
//! client with full data. `sometimes`: documented keys that appear only in
//! some results (a failure's detail, data the client may lack, an older
//! version of the page). `approximated`: keys the sandbox chose where the
//! page is cut before naming them (the README's check-type table says why);
//! they are part of `always` or `sometimes`.

const SCREENING: &[&str] = &[
    "summary.pep.level1",
    "summary.pep.level2",
    "summary.pep.level3",
    "summary.pep.level4",
    "summary.watchlist.sanctionsLists",
    "summary.watchlist.otherOfficialLists",
    "summary.watchlist.warCrimes",
    "summary.watchlist.terror",
    "summary.watchlist.otherExclusionLists",
    "summary.watchlist.sanctionsControlAndOwnership",
    "summary.adverseMedia.environmentProduction",
    "summary.adverseMedia.socialLabour",
    "summary.adverseMedia.competitiveFinancial",
    "summary.adverseMedia.regulatory",
    "summary.otherLists.associatedEntity",
    "summary.otherLists.organisedCrime",
    "summary.otherLists.financialCrime",
    "summary.otherLists.taxCrime",
    "summary.otherLists.corruption",
    "summary.otherLists.trafficking",
];
const SCREENING_MATCHES: &[&str] = &[
    "matches[].id",
    "matches[].entityName",
    "matches[].score",
    "matches[].classifications",
];
const SCREENING_APPROXIMATED: &[&str] = &[
    "matches[].entityName",
    "matches[].score",
    "matches[].classifications",
];

const DATE: [&str; 3] = ["day", "month", "year"];

/// `prefix.day`, `prefix.month`, `prefix.year`.
fn date(prefix: &str) -> Vec<String> {
    DATE.iter().map(|p| format!("{prefix}.{p}")).collect()
}

const DOCUMENT: &[&str] = &[
    "extractedData.documentDetails.documentType",
    "extractedData.documentDetails.documentSubtypes",
    "extractedData.documentDetails.hasTwoSides",
    "extractedData.documentDetails.issuingCountry",
    "extractedData.documentDetails.documentNumber",
    "extractedData.documentDetails.personalNumber",
    "extractedData.holderDetails.lastName",
    "extractedData.holderDetails.firstName",
    "extractedData.holderDetails.gender",
    "extractedData.holderDetails.age",
    "extractedData.holderDetails.nationality",
    "extractedData.allExtractedData.visual.lastName",
    "extractedData.allExtractedData.visual.firstName",
    "extractedData.allExtractedData.visual.documentNumber",
    "extractedData.allExtractedData.visual.personalNumber",
    "extractedData.allExtractedData.mrz.lastName",
    "extractedData.allExtractedData.mrz.firstName",
    "extractedData.mrz.line1",
    "extractedData.mrz.line2",
    "mrzAnalysis.mrzFormat",
    "mrzAnalysis.mrzChecksum",
    "consistencyAnalysis.lastName",
    "consistencyAnalysis.firstName",
    "consistencyAnalysis.dob",
    "consistencyAnalysis.documentNumber",
    "consistencyAnalysis.personalNumber",
    "consistencyAnalysis.expirationDate",
    "consistencyAnalysis.issuingDate",
    "contentAnalysis.dataIntegrity",
    "contentAnalysis.issuingDate",
    "contentAnalysis.expirationDate",
    "contentAnalysis.specimenCheck",
    "contentAnalysis.blackListCheck",
    "formatAnalysis.modelIdentification",
    "formatAnalysis.countryModelValidity",
    "formatAnalysis.documentModelValidity",
    "formatAnalysis.photocopyDetected",
    "forensicAnalysis.mrzVisualPlacement",
    "forensicAnalysis.securityElements",
    "forensicAnalysis.photoLocation",
    "forensicAnalysis.mrzClassification",
    "forensicAnalysis.documentLivenessCheck",
    "forensicAnalysis.tamperingDetected",
    "forensicAnalysis.breakdown.documentFrontLivenessScore",
    "frontAndBackAnalysis.formatAnalysis",
    "frontAndBackAnalysis.dataConsistency",
    "rfidAnalysis.basicAccessControl",
    "rfidAnalysis.chipAuthentication",
    "rfidAnalysis.passiveAuthentication",
    "rfidAnalysis.activeAuthentication",
    "rfidAnalysis.pace",
    "rfidAnalysis.terminalAuthentication",
    "rfidAnalysis.chipAndVisualFacialSimilarity",
    "clientValidation.ageVerification",
    "clientValidation.clientDataConsistency",
    "securityAndPatternAnalysis[].similarity",
    "securityAndPatternAnalysis[].outcome",
    "securityAndPatternAnalysis[].narrative",
    "securityAndPatternAnalysis[].index",
    "securityAndPatternAnalysis[].actualImageData",
    "securityAndPatternAnalysis[].expectedImageData",
    "extractedImages[].type",
    "extractedImages[].index",
    "extractedImages[].data",
];
const DOCUMENT_DATES: &[&str] = &[
    "extractedData.documentDetails.issuingDate",
    "extractedData.documentDetails.expirationDate",
    "extractedData.holderDetails.dob",
    "extractedData.allExtractedData.visual.dob",
    "extractedData.allExtractedData.visual.expirationDate",
    "extractedData.allExtractedData.mrz.dob",
    "extractedData.allExtractedData.mrz.expirationDate",
];
const DOCUMENT_SOMETIMES: &[&str] = &[
    "extractedData.documentDetails.additionalDetails",
    "extractedData.holderDetails.birthPlace",
    "extractedData.allExtractedData.barcode.personalNumber",
    "extractedData.mrz.line3",
];

const FACE: &[&str] = &[
    "faceAnalysis.facialSimilarity",
    "faceAnalysis.previouslyEnrolledFace",
    "faceAnalysis.breakdown.facialSimilarityScore",
    "authenticityAnalysis.spoofedImageAnalysis",
    "authenticityAnalysis.livenessCheck",
    "authenticityAnalysis.breakdown.livenessCheckScore",
    "integrityAnalysis.faceDetection",
    "integrityAnalysis.vpnDetected",
];
const FACE_SOMETIMES: &[&str] = &[
    "faceAnalysis.breakdown.enrolledFacesMatches[].clientId",
    "faceAnalysis.breakdown.enrolledFacesMatches[].entityName",
    "faceAnalysis.breakdown.enrolledFacesMatches[].livePhotoId",
    "faceAnalysis.breakdown.enrolledFacesMatches[].liveVideoId",
    "faceAnalysis.breakdown.enrolledFacesMatches[].facialSimilarityScore",
    "authenticityAnalysis.breakdown.specimenCheckMatches",
];

const MULTI_BUREAU_ATTRIBUTES: [&str; 4] = ["name", "dob", "address", "idNumber"];

const DEVICE: &[&str] = &[
    "physicalDeviceAnalysis.deviceEmulator",
    "physicalDeviceAnalysis.rootedApp",
    "physicalDeviceAnalysis.browserTampering",
    "physicalDeviceAnalysis.jailbrokenDevice",
    "physicalDeviceAnalysis.clonedApp",
    "physicalDeviceAnalysis.virtualMachine",
    "physicalDeviceAnalysis.locationSpoofing",
    "physicalDeviceAnalysis.fridaDetection",
    "physicalDeviceAnalysis.previouslyEnrolledDevice",
    "networkAnalysis.vpnDetection",
    "networkAnalysis.proxyDetection",
    "networkAnalysis.relayDetection",
    "botDetectionAnalysis.botDetection",
    "timelineAnalysis.events[].type",
    "timelineAnalysis.events[].timestamp",
];

/// One check type's documented keys.
pub(crate) struct Documented {
    pub(crate) kind: &'static str,
    pub(crate) sources: &'static [&'static str],
    pub(crate) always: Vec<String>,
    pub(crate) sometimes: Vec<String>,
    pub(crate) approximated: Vec<String>,
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn screening(kind: &'static str) -> Documented {
    Documented {
        kind,
        sources: &[
            "https://docs.complycube.com/api-reference/overview/checks/get-a-check",
            "https://docs.complycube.com/documentation/api-reference/check-types/aml-screening-check",
            "https://docs.complycube.com/api-reference/v.1.7.2/check-types/aml-screening-check",
        ],
        always: owned(SCREENING),
        sometimes: owned(SCREENING_MATCHES),
        approximated: owned(SCREENING_APPROXIMATED),
    }
}

fn face(kind: &'static str, extra_always: &[&str], extra_sometimes: &[&str]) -> Documented {
    let mut always = owned(FACE);
    always.extend(owned(extra_always));
    let mut sometimes = owned(FACE_SOMETIMES);
    sometimes.extend(owned(extra_sometimes));
    Documented {
        kind,
        sources: if kind == "identity_check" {
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/identity-check",
                "https://docs.complycube.com/api-reference/v.1.7.2/check-types/identity-check",
                "https://docs.transactionlink.io/docs/integrations/complycube/identity-verification/identity-check",
            ]
        } else {
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/enhanced-identity-check",
            ]
        },
        always,
        sometimes,
        approximated: Vec::new(),
    }
}

fn document() -> Documented {
    let mut always = owned(DOCUMENT);
    always.extend(DOCUMENT_DATES.iter().flat_map(|d| date(d)));
    Documented {
        kind: "document_check",
        sources: &[
            "https://docs.complycube.com/documentation/api-reference/check-types/document-check",
            "https://docs.complycube.com/api-reference/v.1.7.2/check-types/document-check",
            "https://docs.transactionlink.io/docs/integrations/complycube/identity-verification/document-check",
            "https://github.com/luzhaigo/complycube-next/blob/HEAD/src/mocks/mock-data/checks.ts",
        ],
        always,
        sometimes: owned(DOCUMENT_SOMETIMES),
        approximated: Vec::new(),
    }
}

fn multi_bureau() -> Documented {
    let mut always = Vec::new();
    let mut sometimes = Vec::new();
    for a in MULTI_BUREAU_ATTRIBUTES {
        always.push(format!("{a}.outcome"));
        for k in ["status", "source", "country"] {
            always.push(format!("{a}.breakdown[].{k}"));
        }
        // Not found by any bureau: no sources.
        sometimes.push(format!("{a}.breakdown"));
    }
    Documented {
        kind: "multi_bureau_check",
        sources: &[
            "https://docs.complycube.com/documentation/api-reference/check-types/multi-bureau-check",
        ],
        always,
        sometimes,
        approximated: Vec::new(),
    }
}

fn proof_of_address() -> Documented {
    let approximated = owned(&[
        "extractedData.addressDetails.latLong.lat",
        "extractedData.addressDetails.latLong.long",
        "clientValidation.entityName",
        "clientValidation.address",
        "contentAnalysis.issuingDate",
        "contentAnalysis.documentType",
        "geolocationAnalysis.ipAddressLocation",
    ]);
    let mut always = owned(&[
        "extractedData.documentDetails.documentType",
        "extractedData.documentDetails.issuer",
        "extractedData.holderDetails.entityName",
        "extractedData.addressDetails.addressLine",
        "extractedData.addressDetails.addressCountry",
        "extractedData.addressDetails.address.propertyNumber",
        "extractedData.addressDetails.address.building",
        "extractedData.addressDetails.address.line",
        "extractedData.addressDetails.address.city",
        "extractedData.addressDetails.address.postalCode",
        "extractedData.addressDetails.address.country",
    ]);
    always.extend(date("extractedData.documentDetails.issuingDate"));
    always.extend(approximated.iter().cloned());
    Documented {
        kind: "proof_of_address_check",
        sources: &[
            "https://docs.complycube.com/api-reference/check-types/proof-of-address-check",
            "https://docs.complycube.com/documentation/checks/proof-of-address-check",
        ],
        always,
        sometimes: owned(&["extractedData.addressDetails.address.state"]),
        approximated,
    }
}

fn eid() -> Documented {
    let approximated = owned(&[
        "clientValidation.firstName",
        "clientValidation.lastName",
        "clientValidation.dob",
    ]);
    let h = "eIDInformation.holderDetails";
    let mut always = owned(&[
        "eIDInformation.scheme",
        "eIDInformation.assuranceLevel",
        "eIDInformation.issuingCountry",
    ]);
    for k in [
        "firstName",
        "middleName",
        "lastName",
        "gender",
        "nationality",
    ] {
        always.push(format!("{h}.{k}"));
    }
    always.extend(date(&format!("{h}.dob")));
    for k in ["propertyNumber", "line", "city", "postalCode", "country"] {
        always.push(format!("{h}.address.{k}"));
    }
    always.extend(approximated.iter().cloned());
    let sometimes = [
        "socialInsuranceNumber",
        "nationalIdentityNumber",
        "taxIdentificationNumber",
        "address.state",
    ]
    .iter()
    .map(|k| format!("{h}.{k}"))
    .collect();
    Documented {
        kind: "eid_check",
        sources: &[
            "https://docs.complycube.com/documentation/api-reference/check-types/eid-check",
            "https://docs.complycube.com/documentation/product-guides/identity-verification/eid-check",
        ],
        always,
        sometimes,
        approximated,
    }
}

/// Every check type's documented keys.
pub(crate) fn documented() -> Vec<Documented> {
    let mut list = vec![
        screening("standard_screening_check"),
        screening("extensive_screening_check"),
        document(),
        face("identity_check", &["faceAnalysis.faceDetection"], &[]),
        face(
            "enhanced_identity_check",
            &[
                "authenticityAnalysis.livenessVoiceChallengeAnalysis",
                "authenticityAnalysis.livenessActionChallengeAnalysis",
            ],
            &[],
        ),
        proof_of_address(),
        multi_bureau(),
        eid(),
    ];
    let more = [
        (
            "ssn_check",
            &["https://docs.complycube.com/documentation/api-reference/check-types/ssn-check"][..],
            owned(&[
                "dataVerification.firstName",
                "dataVerification.lastName",
                "dataVerification.ssn",
                "dataVerification.breakdown.matchCode",
                "databaseAnalyss.governmentDatabase",
                "databaseAnalyss.mortalityDatabase",
            ]),
            Vec::new(),
            Vec::new(),
        ),
        (
            "age_estimation_check",
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/age-estimation-check",
                "https://docs.complycube.com/documentation/product-guides/biometric-and-liveness-verification/age-estimation-check",
            ][..],
            owned(&[
                "ageEstimationAnalysis.ageValidation",
                "ageEstimationAnalysis.breakdown.age",
                "ageEstimationAnalysis.breakdown.ageMin",
                "ageEstimationAnalysis.breakdown.ageMax",
                "authenticityAnalysis.spoofedImageAnalysis",
                "authenticityAnalysis.livenessCheck",
                "authenticityAnalysis.breakdown.livenessCheckScore",
            ]),
            Vec::new(),
            owned(&[
                "authenticityAnalysis.spoofedImageAnalysis",
                "authenticityAnalysis.livenessCheck",
                "authenticityAnalysis.breakdown.livenessCheckScore",
            ]),
        ),
        (
            "identity_fraud_check",
            &["https://docs.complycube.com/api-reference/check-types/identity-fraud-check"][..],
            owned(&[
                "identityVerification.name",
                "identityVerification.dob",
                "identityVerification.address",
                "identityVerification.telephone",
                "identityVerification.mobile",
                "identityVerification.email",
                "identityVerification.activity",
                "identityVerification.breakdown[].status",
                "identityVerification.breakdown[].field",
                "identityVerification.breakdown[].source",
                "databaseAnalysis.mortality",
                "databaseAnalysis.fraud",
                "databaseAnalysis.fakeProfile",
                "databaseAnalysis.police",
                "databaseAnalysis.breakdown[].status",
                "databaseAnalysis.breakdown[].field",
                "databaseAnalysis.breakdown[].sourceDescription",
            ]),
            Vec::new(),
            Vec::new(),
        ),
        (
            "driving_license_check",
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/driving-license-check",
            ][..],
            {
                let mut v = owned(&[
                    "documentData.documentDetails.licenseType",
                    "documentData.documentDetails.issuingCountry",
                    "documentData.documentDetails.documentNumber",
                    "documentData.documentDetails.points",
                    "dataVerification.documentNumber",
                    "dataVerification.expirationDate",
                    "dataVerification.licenseType",
                    "dataVerification.points",
                ]);
                v.extend(date("documentData.documentDetails.expirationDate"));
                v
            },
            Vec::new(),
            owned(&[
                "dataVerification.documentNumber",
                "dataVerification.expirationDate",
                "dataVerification.licenseType",
                "dataVerification.points",
            ]),
        ),
        (
            "device_intelligence_check",
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/device-intelligence-check",
                "https://docs.complycube.com/api-reference/check-types/device-intelligence-check-1",
            ][..],
            owned(DEVICE),
            owned(&["physicalDeviceAnalysis.suspiciousBrowser"]),
            owned(&[
                "timelineAnalysis.events[].type",
                "timelineAnalysis.events[].timestamp",
            ]),
        ),
        (
            "email_intelligence_check",
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/email-intelligence-check",
            ][..],
            owned(&[
                "riskAnalysis.validFormat",
                "riskAnalysis.dataLeakAnalysis",
                "riskAnalysis.disposableEmailAnalysis",
                "riskAnalysis.domainValidity",
                "riskAnalysis.riskLevel",
            ]),
            Vec::new(),
            Vec::new(),
        ),
        (
            "mobile_intelligence_check",
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/mobile-intelligence-check",
            ][..],
            owned(&[
                "riskAnalysis.validFormat",
                "riskAnalysis.recentAbuseAnalysis",
                "riskAnalysis.isActive",
                "riskAnalysis.digitalNumberAnalysis",
                "riskAnalysis.riskLevel",
            ]),
            Vec::new(),
            Vec::new(),
        ),
        (
            "face_authentication_check",
            &[
                "https://docs.complycube.com/documentation/api-reference/check-types/face-authentication-check",
                "https://docs.transactionlink.io/docs/v1/integrations/complycube/face-authentication-check",
            ][..],
            owned(&[
                "faceAuthentication.facialSimilarity",
                "faceAuthentication.breakdown.facesMatched[].livePhotoId",
                "faceAuthentication.breakdown.facesMatched[].facialSimilarityScore",
                "faceAuthentication.breakdown.enrolledFaces.livePhotoIds",
                "faceAuthentication.breakdown.enrolledFaces.liveVideoIds",
            ]),
            owned(&["faceAuthentication.breakdown.facesMatched[].liveVideoId"]),
            Vec::new(),
        ),
    ];
    for (kind, sources, always, sometimes, approximated) in more {
        list.push(Documented {
            kind,
            sources,
            always,
            sometimes,
            approximated,
        });
    }
    list
}
