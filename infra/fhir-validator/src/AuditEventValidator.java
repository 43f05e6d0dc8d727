/*
 * HAPI FHIR's instance validator for FHIR R4 resources, as a small process the tests start: one JSON resource per
 * line on stdin, one JSON result per line on stdout ({"id":..., "valid":..., "issues":[{"severity","location",
 * "message"}]}), in order. Validates against the R4 core structure definitions and terminologies shipped on Maven
 * Central (hapi-fhir-validation-resources-r4), with no network access. "valid" is false when any issue is an
 * error or fatal. The first line printed is {"ready":true}, once the validator is warmed up.
 */
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.common.hapi.validation.support.CachingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

public final class AuditEventValidator {
  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : (s == null ? "" : s).toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    FhirContext ctx = FhirContext.forR4();
    ValidationSupportChain chain = new ValidationSupportChain(
        new DefaultProfileValidationSupport(ctx),
        new CommonCodeSystemsTerminologyService(ctx),
        new InMemoryTerminologyServerValidationSupport(ctx),
        new SnapshotGeneratingValidationSupport(ctx));
    FhirInstanceValidator module = new FhirInstanceValidator(new CachingValidationSupport(chain));
    module.setNoTerminologyChecks(false);
    FhirValidator validator = ctx.newValidator().registerValidatorModule(module);
    // Warm up: the first validation loads the structure definitions.
    validator.validateWithResult("{\"resourceType\":\"Basic\",\"code\":{\"text\":\"warm-up\"}}");
    out.println("{\"ready\":true}");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      String id = "";
      StringBuilder issues = new StringBuilder();
      boolean valid = true;
      try {
        ValidationResult r = validator.validateWithResult(line);
        for (SingleValidationMessage m : r.getMessages()) {
          ResultSeverityEnum sev = m.getSeverity();
          if (sev == ResultSeverityEnum.ERROR || sev == ResultSeverityEnum.FATAL) valid = false;
          if (issues.length() > 0) issues.append(',');
          issues.append("{\"severity\":").append(json(sev.getCode()))
              .append(",\"location\":").append(json(m.getLocationString()))
              .append(",\"message\":").append(json(m.getMessage())).append('}');
        }
        int i = line.indexOf("\"id\":\"");
        if (i >= 0) id = line.substring(i + 6, line.indexOf('"', i + 6));
      } catch (Exception e) {
        valid = false;
        issues.append("{\"severity\":\"fatal\",\"location\":\"\",\"message\":").append(json(e.toString())).append('}');
      }
      out.println("{\"id\":" + json(id) + ",\"valid\":" + valid + ",\"issues\":[" + issues + "]}");
    }
  }
}
