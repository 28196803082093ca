public enum VigilHTTPModule {}
