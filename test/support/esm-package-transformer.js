// Jest runs CommonJS; `jose` ships ES modules only (Node itself loads it with require()).
// This turns such a package's files into CommonJS, keeping native class fields (jose's
// constructors assign `this` in the same expression as `super()`).
const ts = require('typescript');

module.exports = {
  process(sourceText, sourcePath) {
    const { outputText } = ts.transpileModule(sourceText, {
      fileName: sourcePath,
      compilerOptions: {
        allowJs: true,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        useDefineForClassFields: true,
      },
    });
    return { code: outputText };
  },
};
