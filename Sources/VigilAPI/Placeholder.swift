import VigilStore
import VigilHTTP
public enum VigilAPIModule {}
