package dev.natgw.traversal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** The credential's text form and its proof: what a forwarder checks (docs/protocol.md, section 10). */
class TenantCredentialTest {

    @Test
    void anIssuedCredentialProvesItsTenantForOneNonceAndOneServerKey() throws Exception {
        TenantCredential.Issued issued = TenantCredential.issue("acme.eu-1");
        TenantCredential c = TenantCredential.parse(" " + issued.text() + "\n");
        assertThat(c.tenant()).isEqualTo("acme.eu-1");
        byte[] nonce = Keys.nonce();
        byte[] server = Keys.generate().getPublic().getEncoded();
        byte[] sig = c.sign(nonce, server);
        var tenantKey = Keys.publicKey(issued.publicKey());
        assertThat(TenantCredential.verify(tenantKey, nonce, server, sig)).isTrue();
        // another nonce, another server key or another tenant's key: no
        assertThat(TenantCredential.verify(tenantKey, Keys.nonce(), server, sig)).isFalse();
        assertThat(TenantCredential.verify(tenantKey, nonce, Keys.generate().getPublic().getEncoded(), sig))
                .isFalse();
        KeyPair other = Keys.generate();
        assertThat(TenantCredential.verify(other.getPublic(), nonce, server, sig)).isFalse();
        // a server's own registration signature is not a tenant signature (the contexts differ)
        assertThat(TenantCredential.verify(tenantKey, nonce, server, Keys.sign(c.privateKey(), Keys
                .registerChallenge(nonce)))).isFalse();
        assertThat(c.toString()).doesNotContain(issued.text().substring(issued.text().lastIndexOf(':') + 1));
    }

    @Test
    void malformedCredentialsAreRefusedWithoutEchoingTheSecret() {
        assertThatThrownBy(() -> TenantCredential.parse("token")).hasMessageContaining("starts with");
        assertThatThrownBy(() -> TenantCredential.parse("natgw-tenant-v1:acme")).hasMessageContaining("NAME:SECRET");
        assertThatThrownBy(() -> TenantCredential.parse("natgw-tenant-v1:Bad Name:AAAA")).hasMessageContaining(
                "name");
        assertThatThrownBy(() -> TenantCredential.parse("natgw-tenant-v1:acme:sEcReT!!")).hasMessageContaining(
                "not an Ed25519 private key").hasMessageNotContaining("sEcReT");
        assertThatThrownBy(() -> TenantCredential.issue("-x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(TenantCredential.validName("a".repeat(64))).isTrue();
        assertThat(TenantCredential.validName("a".repeat(65))).isFalse();
    }
}
