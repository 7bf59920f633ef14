# kyc-sandbox: a static release binary on a distroless base.
#
#   docker build -t kyc-sandbox .
#   docker run --rm -p 8080:8080 kyc-sandbox
#   docker run --rm -p 8080:8080 -v "$PWD/fixtures:/fixtures:ro" kyc-sandbox
#   docker run -p 8080:8080 -v kyc-data:/data -e KYC_SANDBOX_STORE=sqlite:/data/sandbox.db kyc-sandbox

# --- build -------------------------------------------------------------------
FROM rust:1-slim-bookworm AS build
WORKDIR /src
ENV CARGO_TERM_COLOR=never \
    RUSTFLAGS="-C target-feature=+crt-static"

# Dependencies first, in their own layer: only Cargo.toml/Cargo.lock changes
# rebuild it. The stub targets are removed before the real sources arrive.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src \
    && echo 'fn main() {}' > src/main.rs \
    && echo '' > src/lib.rs \
    && cargo build --release --locked --target x86_64-unknown-linux-gnu --bin kyc-sandbox \
    && rm -rf src \
        target/x86_64-unknown-linux-gnu/release/kyc-sandbox* \
        target/x86_64-unknown-linux-gnu/release/deps/kyc_sandbox-* \
        target/x86_64-unknown-linux-gnu/release/deps/libkyc_sandbox-* \
        target/x86_64-unknown-linux-gnu/release/.fingerprint/kyc-sandbox-*

COPY src ./src
RUN cargo build --release --locked --target x86_64-unknown-linux-gnu --bin kyc-sandbox \
    && cp target/x86_64-unknown-linux-gnu/release/kyc-sandbox /kyc-sandbox \
    && /kyc-sandbox --version \
    && mkdir -p /data

# --- runtime -------------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /kyc-sandbox /usr/local/bin/kyc-sandbox
COPY fixtures/ /fixtures/
# Where `--store sqlite:/data/…` keeps state; owned by the runtime user so a
# named volume mounted here starts out writable.
COPY --from=build --chown=65532:65532 /data /data
ENV KYC_SANDBOX_HOST=0.0.0.0 \
    KYC_SANDBOX_PORT=8080 \
    KYC_SANDBOX_FIXTURES=/fixtures
VOLUME ["/fixtures", "/data"]
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/kyc-sandbox", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/kyc-sandbox"]
