import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.InformationEntity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Build step (run by Maven with Java's single-file launcher): writes PixelMed's DICOM data dictionary as a
 * tab-separated resource, so that the sidecar knows every standard keyword without PixelMed at run time.
 * Columns: tag (8 hex digits), keyword, VR, information entity (or empty), name.
 */
public class DicomDictionaryExport {
    public static void main(String[] args) throws IOException {
        DicomDictionary dictionary = DicomDictionary.StandardDictionary;
        List<String> lines = new ArrayList<>();
        lines.add("# Generated at build time from PixelMed's DicomDictionary (libpixelmed-java); do not edit.");
        for (Iterator<?> it = dictionary.getTagIterator(); it.hasNext(); ) {
            AttributeTag tag = (AttributeTag) it.next();
            String keyword = dictionary.getNameFromTag(tag);
            byte[] vr = dictionary.getValueRepresentationFromTag(tag);
            InformationEntity entity = dictionary.getInformationEntityFromTag(tag);
            String name = dictionary.getFullNameFromTag(tag);
            if (keyword == null || vr == null) {
                continue;
            }
            lines.add(String.format("%04X%04X\t%s\t%s\t%s\t%s", tag.getGroup(), tag.getElement(), keyword,
                    new String(vr, StandardCharsets.US_ASCII), entity == null ? "" : entity.toString(),
                    name == null ? "" : name.replace('\t', ' ')));
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.getParent());
        Files.write(out, lines, StandardCharsets.UTF_8);
        System.out.println("DICOM dictionary: " + (lines.size() - 1) + " attributes -> " + out);
    }
}
